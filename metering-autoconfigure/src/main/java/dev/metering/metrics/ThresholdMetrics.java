package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;

import dev.metering.UsageThresholdReachedEvent;

/**
 * Counts the usage thresholds organizations reach, {@code metering.thresholds.reached},
 * tagged with the limit key and the percentage: as many as
 * {@link UsageThresholdReachedEvent}s are published.
 */
final class ThresholdMetrics implements ApplicationListener<PayloadApplicationEvent<UsageThresholdReachedEvent>> {

	private final MeterRegistry registry;

	ThresholdMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onApplicationEvent(PayloadApplicationEvent<UsageThresholdReachedEvent> reached) {
		UsageThresholdReachedEvent event = reached.getPayload();
		// limit keys and thresholds are configured, so their number is bounded
		Counter.builder("metering.thresholds.reached")
			.description("Usage thresholds of plan limits reached, once per organization, threshold and period")
			.tag("limit", event.limitKey())
			.tag("threshold", Integer.toString(event.thresholdPercent()))
			.register(this.registry)
			.increment();
	}

}
