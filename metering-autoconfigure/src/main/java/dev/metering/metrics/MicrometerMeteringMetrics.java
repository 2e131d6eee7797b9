package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.metering.billing.MeteringMetrics;

/**
 * Counts what metering does to calls on the application's {@link MeterRegistry}:
 * {@code metering.calls.over-limit} (tag {@code limit}), {@code metering.calls.reservation-waits}
 * (tags {@code limit} and {@code outcome}), {@code metering.calls.unbilled},
 * {@code metering.usage.estimated} (tags {@code model} and {@code reason}),
 * {@code metering.events.refused} and {@code metering.lookups.failed} (tag {@code lookup}).
 */
public final class MicrometerMeteringMetrics implements MeteringMetrics {

	private final MeterRegistry registry;

	private final Counter unbilled;

	private final Counter refused;

	public MicrometerMeteringMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.unbilled = Counter.builder("metering.calls.unbilled")
			.description("ChatClient calls and metered methods that ran without a billing account to bill")
			.register(registry);
		this.refused = Counter.builder("metering.events.refused")
			.description("Usage that could not be recorded, so it was not billed")
			.register(registry);
	}

	@Override
	public void overLimit(String limitKey) {
		// one counter per limit key: the keys are configured, so their number is bounded
		Counter.builder("metering.calls.over-limit")
			.description("Calls that started at or over a plan limit")
			.tag("limit", limitKey)
			.register(this.registry)
			.increment();
	}

	@Override
	public void waitedForReservations(String limitKey, boolean admitted) {
		Counter.builder("metering.calls.reservation-waits")
			.description("Calls that waited for the reservations of calls in flight to settle")
			.tag("limit", limitKey)
			.tag("outcome", admitted ? "admitted" : "refused")
			.register(this.registry)
			.increment();
	}

	@Override
	public void unbilled() {
		this.unbilled.increment();
	}

	@Override
	public void usageEstimated(String model, String reason) {
		// one counter per model and reason: the models are the application's, so they are few
		Counter.builder("metering.usage.estimated")
			.description("Model round trips billed by estimate, for want of usage the model reported")
			.tag("model", model)
			.tag("reason", reason)
			.register(this.registry)
			.increment();
	}

	@Override
	public void refused() {
		this.refused.increment();
	}

	@Override
	public void lookupFailed(String lookup) {
		// one counter per kind of look-up: customer or subscription
		Counter.builder("metering.lookups.failed")
			.description("Provider look-ups of customers or subscriptions that failed with nothing cached, "
					+ "after which the call went on without their answer")
			.tag("lookup", lookup)
			.register(this.registry)
			.increment();
	}

}
