package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.metering.delivery.DeliveryMetrics;

/**
 * Delivery counters in the application's Micrometer registry, tagged with the provider:
 * {@code metering.events.delivered}, {@code metering.events.retried},
 * {@code metering.events.dead-lettered} and {@code metering.events.coalesced}, and
 * {@code metering.events.refused-late}, tagged {@code dead-lettered} {@code true} for refusals
 * reported after delivery that found their event, {@code false} for those that did not.
 */
public final class MicrometerDeliveryMetrics implements DeliveryMetrics {

	private final Counter delivered;

	private final Counter retried;

	private final Counter deadLettered;

	private final Counter coalesced;

	private final Counter refusedLateFound;

	private final Counter refusedLateNotFound;

	/**
	 * @param provider the name of the provider the events go to, the value of the tag
	 * {@code provider}
	 */
	public MicrometerDeliveryMetrics(MeterRegistry registry, String provider) {
		this.delivered = registry.counter("metering.events.delivered", "provider", provider);
		this.retried = registry.counter("metering.events.retried", "provider", provider);
		this.deadLettered = registry.counter("metering.events.dead-lettered", "provider", provider);
		this.coalesced = registry.counter("metering.events.coalesced", "provider", provider);
		this.refusedLateFound = registry.counter("metering.events.refused-late", "provider", provider,
				"dead-lettered", "true");
		this.refusedLateNotFound = registry.counter("metering.events.refused-late", "provider", provider,
				"dead-lettered", "false");
	}

	@Override
	public void delivered() {
		this.delivered.increment();
	}

	@Override
	public void retried() {
		this.retried.increment();
	}

	@Override
	public void deadLettered() {
		this.deadLettered.increment();
	}

	@Override
	public void coalesced(int events) {
		this.coalesced.increment(events);
	}

	@Override
	public void refusedLate(long events, boolean deadLettered) {
		(deadLettered ? this.refusedLateFound : this.refusedLateNotFound).increment(events);
	}

}
