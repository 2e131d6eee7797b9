package dev.metering.autoconfigure;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.metering.metrics.AdmissionMeterObservationHandler;
import dev.metering.metrics.DeliveryMeterObservationHandler;
import dev.metering.metrics.EstimateMeterObservationHandler;
import dev.metering.metrics.LookupFailureMeterObservationHandler;
import dev.metering.metrics.OutboxMetrics;
import dev.metering.metrics.ProviderCacheMetrics;
import dev.metering.metrics.ReconciliationMeterObservationHandler;
import dev.metering.metrics.RecordingMeterObservationHandler;
import dev.metering.metrics.ThresholdMetrics;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.provider.ProviderCaches;

/**
 * Auto-configuration of metering's metrics on the application's {@link MeterRegistry},
 * when it has one; without one, nothing is counted. Metering's observations yield its
 * counters through the observation handlers declared here, which Spring Boot adds to the
 * application's {@link ObservationRegistry}; without one, metering observes on a registry
 * of its own that times its observations and counts what they yield, as Spring Boot's
 * would.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
		"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public final class MeteringMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DeliveryMeterObservationHandler meteringDeliveryMeterObservationHandler(MeterRegistry registry) {
		return new DeliveryMeterObservationHandler(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	AdmissionMeterObservationHandler meteringAdmissionMeterObservationHandler(MeterRegistry registry) {
		return new AdmissionMeterObservationHandler(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	RecordingMeterObservationHandler meteringRecordingMeterObservationHandler(MeterRegistry registry) {
		return new RecordingMeterObservationHandler(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	LookupFailureMeterObservationHandler meteringLookupFailureMeterObservationHandler(MeterRegistry registry) {
		return new LookupFailureMeterObservationHandler(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	EstimateMeterObservationHandler meteringEstimateMeterObservationHandler(MeterRegistry registry) {
		return new EstimateMeterObservationHandler(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	ReconciliationMeterObservationHandler meteringReconciliationMeterObservationHandler(MeterRegistry registry) {
		return new ReconciliationMeterObservationHandler(registry);
	}

	/**
	 * Without an {@link ObservationRegistry} of the application's, metering's
	 * observations are timed and counted on a registry of their own, with every
	 * observation handler the application declares (metering's above among them).
	 */
	@Bean
	@ConditionalOnMissingBean(ObservationRegistry.class)
	MeteringObservations meteringObservations(MeterRegistry registry, ObjectProvider<ObservationHandler<?>> handlers) {
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
		handlers.orderedStream().forEach(observations.observationConfig()::observationHandler);
		return new MeteringObservations(observations);
	}

	@Bean
	@ConditionalOnMissingBean
	OutboxMetrics meteringOutboxMetrics(UndeliveredUsage outbox, ObjectProvider<Clock> clock) {
		return new OutboxMetrics(outbox, clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	ThresholdMetrics meteringThresholdMetrics(MeterRegistry registry) {
		return new ThresholdMetrics(registry);
	}

	/**
	 * The metrics of the caches of provider look-ups metering builds, for a hosted
	 * provider; bound once every bean exists, as Spring Boot binds meter binders.
	 */
	@Bean
	MeterBinder meteringProviderCacheMetrics(ObjectProvider<ProviderCaches> caches) {
		return (registry) -> caches
			.ifAvailable((providerCaches) -> new ProviderCacheMetrics(providerCaches).bindTo(registry));
	}

}
