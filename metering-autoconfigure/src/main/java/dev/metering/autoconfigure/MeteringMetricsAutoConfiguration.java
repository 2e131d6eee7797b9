package dev.metering.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.metering.billing.MeteringMetrics;
import dev.metering.delivery.DeliveryMetrics;
import dev.metering.metrics.MicrometerDeliveryMetrics;
import dev.metering.metrics.MicrometerMeteringMetrics;
import dev.metering.provider.MeterProvider;

/**
 * Auto-configuration of metering's metrics on the application's {@link MeterRegistry}, when it
 * has one; without one, nothing is counted.
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public final class MeteringMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MeteringMetrics meteringMetrics(MeterRegistry registry) {
		return new MicrometerMeteringMetrics(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	DeliveryMetrics meteringDeliveryMetrics(MeterRegistry registry, MeterProvider provider) {
		return new MicrometerDeliveryMetrics(registry, provider.name());
	}

}
