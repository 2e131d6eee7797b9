package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

import dev.metering.billing.MeteredWorkObservationContext;

/**
 * Counts the provider look-ups that failed with nothing cached while observed metered
 * work went on without their answer: {@code metering.lookups.failed}, tagged
 * {@code lookup} {@code customer} or {@code subscription}.
 */
final class LookupFailureMeterObservationHandler implements ObservationHandler<MeteredWorkObservationContext> {

	private final MeterRegistry registry;

	LookupFailureMeterObservationHandler(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onStop(MeteredWorkObservationContext context) {
		for (String lookup : context.getFailedLookups()) {
			// one counter per kind of look-up: customer or subscription
			Counter.builder("metering.lookups.failed")
				.description("Provider look-ups of customers or subscriptions that failed with nothing cached, "
						+ "after which the call went on without their answer")
				.tag("lookup", lookup)
				.register(this.registry)
				.increment();
		}
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof MeteredWorkObservationContext;
	}

}
