package dev.metering.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

import dev.metering.delivery.DeliveryObservationContext;

/**
 * Counts what delivery observations tell became of events, tagged with the provider: the
 * counters {@code metering.events.delivered}, {@code metering.events.retried},
 * {@code metering.events.dead-lettered} and {@code metering.events.coalesced}, and
 * {@code metering.events.refused-late}, tagged {@code dead-lettered} {@code true} for
 * refusals reported after delivery that found their event, {@code false} for those that
 * did not; and the timer {@code metering.delivery.latency} from recording to delivery.
 * All exist from the first observation of a provider's delivery, at zero until something
 * happens; they move as each observation ends.
 */
final class DeliveryMeterObservationHandler implements ObservationHandler<DeliveryObservationContext> {

	private final MeterRegistry registry;

	private final Map<String, ProviderMeters> meters = new ConcurrentHashMap<>();

	DeliveryMeterObservationHandler(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onStop(DeliveryObservationContext context) {
		ProviderMeters meters = this.meters.computeIfAbsent(context.getProvider(),
				(provider) -> new ProviderMeters(this.registry, provider));
		meters.delivered.increment(context.getDelivered());
		meters.retried.increment(context.getRetried());
		meters.deadLettered.increment(context.getDeadLettered());
		meters.coalesced.increment(context.getCoalesced());
		meters.refusedLateFound.increment(context.getRefusedLate(true));
		meters.refusedLateNotFound.increment(context.getRefusedLate(false));
		context.getDeliveryLatencies().forEach(meters.latency::record);
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof DeliveryObservationContext;
	}

	/** The delivery meters of one provider. */
	private static final class ProviderMeters {

		private final Counter delivered;

		private final Counter retried;

		private final Counter deadLettered;

		private final Counter coalesced;

		private final Counter refusedLateFound;

		private final Counter refusedLateNotFound;

		private final Timer latency;

		ProviderMeters(MeterRegistry registry, String provider) {
			this.delivered = registry.counter("metering.events.delivered", "provider", provider);
			this.retried = registry.counter("metering.events.retried", "provider", provider);
			this.deadLettered = registry.counter("metering.events.dead-lettered", "provider", provider);
			this.coalesced = registry.counter("metering.events.coalesced", "provider", provider);
			this.refusedLateFound = registry.counter("metering.events.refused-late", "provider", provider,
					"dead-lettered", "true");
			this.refusedLateNotFound = registry.counter("metering.events.refused-late", "provider", provider,
					"dead-lettered", "false");
			this.latency = Timer.builder("metering.delivery.latency")
				.description("Time from recording a usage event to its delivery to the provider")
				.tag("provider", provider)
				.publishPercentiles(0.5, 0.95, 0.99)
				.register(registry);
		}

	}

}
