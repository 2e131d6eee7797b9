package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;

import dev.metering.UsageThresholdReachedEvent;

/**
 * Counts the usage thresholds organizations reach, {@code metering.thresholds.reached},
 * tagged with the limit key and the percentage: as many as
 * {@link UsageThresholdReachedEvent}s are published.
 */
public final class ThresholdMetrics {

	private final MeterRegistry registry;

	public ThresholdMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@EventListener
	void thresholdReached(UsageThresholdReachedEvent event) {
		// limit keys and thresholds are configured, so their number is bounded
		Counter.builder("metering.thresholds.reached")
			.description("Usage thresholds of plan limits reached, once per organization, threshold and period")
			.tag("limit", event.limitKey())
			.tag("threshold", Integer.toString(event.thresholdPercent()))
			.register(this.registry)
			.increment();
	}

}
