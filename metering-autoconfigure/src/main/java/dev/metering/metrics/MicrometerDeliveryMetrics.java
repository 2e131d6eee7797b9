package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.metering.delivery.DeliveryMetrics;

/**
 * Delivery counters in the application's Micrometer registry, tagged with the provider:
 * {@code metering.events.delivered}, {@code metering.events.retried},
 * {@code metering.events.dead-lettered} and {@code metering.events.coalesced}.
 */
public final class MicrometerDeliveryMetrics implements DeliveryMetrics {

	private final Counter delivered;

	private final Counter retried;

	private final Counter deadLettered;

	private final Counter coalesced;

	/**
	 * @param provider the name of the provider the events go to, the value of the tag
	 * {@code provider}
	 */
	public MicrometerDeliveryMetrics(MeterRegistry registry, String provider) {
		this.delivered = registry.counter("metering.events.delivered", "provider", provider);
		this.retried = registry.counter("metering.events.retried", "provider", provider);
		this.deadLettered = registry.counter("metering.events.dead-lettered", "provider", provider);
		this.coalesced = registry.counter("metering.events.coalesced", "provider", provider);
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

}
