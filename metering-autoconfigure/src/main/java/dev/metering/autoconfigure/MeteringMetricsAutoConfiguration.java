package dev.metering.autoconfigure;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
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
import dev.metering.metrics.MicrometerReconciliationMetrics;
import dev.metering.metrics.OutboxMetrics;
import dev.metering.metrics.ThresholdMetrics;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.provider.MeterProvider;
import dev.metering.reconcile.ReconciliationMetrics;

/**
 * Auto-configuration of metering's metrics on the application's {@link MeterRegistry}, when it
 * has one; without one, nothing is counted. Requests to the provider are observed on the
 * application's {@link ObservationRegistry}, so that they are traced too where the
 * application traces.
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
				"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public final class MeteringMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MeteringMetrics meteringMetrics(MeterRegistry registry) {
		return new MicrometerMeteringMetrics(registry);
	}

	/**
	 * Without an {@link ObservationRegistry} of the application's, requests to the provider
	 * are still timed, on an observation registry of their own.
	 */
	@Bean
	@ConditionalOnMissingBean
	DeliveryMetrics meteringDeliveryMetrics(MeterRegistry registry, ObjectProvider<ObservationRegistry> observations,
			MeterProvider provider) {
		return new MicrometerDeliveryMetrics(registry, observations.getIfAvailable(() -> timedOnly(registry)),
				provider.name());
	}

	private static ObservationRegistry timedOnly(MeterRegistry registry) {
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
		return observations;
	}

	@Bean
	@ConditionalOnMissingBean
	OutboxMetrics meteringOutboxMetrics(UndeliveredUsage outbox) {
		return new OutboxMetrics(outbox, Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	ReconciliationMetrics meteringReconciliationMetrics(MeterRegistry registry) {
		return new MicrometerReconciliationMetrics(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	ThresholdMetrics meteringThresholdMetrics(MeterRegistry registry) {
		return new ThresholdMetrics(registry);
	}

}
