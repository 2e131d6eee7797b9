package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

import dev.metering.billing.AdmissionObservationContext;

/**
 * Counts what admission observations tell: {@code metering.calls.unbilled}, work let
 * through without a billing account; {@code metering.calls.over-limit} (tag
 * {@code limit}), work that started at or over its limit; and
 * {@code metering.calls.reservation-waits} (tags {@code limit} and {@code outcome}), work
 * that waited for the reservations of calls in flight to settle.
 */
final class AdmissionMeterObservationHandler implements ObservationHandler<AdmissionObservationContext> {

	private final MeterRegistry registry;

	private final Counter unbilled;

	AdmissionMeterObservationHandler(MeterRegistry registry) {
		this.registry = registry;
		this.unbilled = Counter.builder("metering.calls.unbilled")
			.description("ChatClient calls and metered methods that ran without a billing account to bill")
			.register(registry);
	}

	@Override
	public void onStop(AdmissionObservationContext context) {
		if (context.getOutcome() == AdmissionObservationContext.Outcome.UNBILLED) {
			this.unbilled.increment();
		}
		// a call is over a limit, or waits for one, only where a limit applies
		String limit = context.getLimit();
		if (context.isOverLimit() && limit != null) {
			// one counter per limit key: the keys are configured, so their number is
			// bounded
			Counter.builder("metering.calls.over-limit")
				.description("Calls that started at or over a plan limit")
				.tag("limit", limit)
				.register(this.registry)
				.increment();
		}
		Boolean admittedAfterWaiting = context.getAdmittedAfterWaiting();
		if (admittedAfterWaiting != null && limit != null) {
			Counter.builder("metering.calls.reservation-waits")
				.description("Calls that waited for the reservations of calls in flight to settle")
				.tag("limit", limit)
				.tag("outcome", admittedAfterWaiting ? "admitted" : "refused")
				.register(this.registry)
				.increment();
		}
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof AdmissionObservationContext;
	}

}
