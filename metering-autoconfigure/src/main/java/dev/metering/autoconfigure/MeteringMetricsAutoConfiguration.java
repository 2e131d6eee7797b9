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
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.annotation.Bean;

import dev.metering.UsageThresholdReachedEvent;
import dev.metering.billing.AdmissionObservationContext;
import dev.metering.billing.EstimateObservationContext;
import dev.metering.billing.MeteredWorkObservationContext;
import dev.metering.billing.RecordingObservationContext;
import dev.metering.delivery.DeliveryObservationContext;
import dev.metering.metrics.MeteringMeters;
import dev.metering.reconcile.ReconciliationObservationContext;
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
	ObservationHandler<DeliveryObservationContext> meteringDeliveryMeterObservationHandler(MeterRegistry registry) {
		return MeteringMeters.delivery(registry);
	}

	@Bean
	ObservationHandler<AdmissionObservationContext> meteringAdmissionMeterObservationHandler(MeterRegistry registry) {
		return MeteringMeters.admission(registry);
	}

	@Bean
	ObservationHandler<RecordingObservationContext> meteringRecordingMeterObservationHandler(MeterRegistry registry) {
		return MeteringMeters.recording(registry);
	}

	@Bean
	ObservationHandler<MeteredWorkObservationContext> meteringLookupFailureMeterObservationHandler(
			MeterRegistry registry) {
		return MeteringMeters.lookupFailures(registry);
	}

	@Bean
	ObservationHandler<EstimateObservationContext> meteringEstimateMeterObservationHandler(MeterRegistry registry) {
		return MeteringMeters.estimates(registry);
	}

	@Bean
	ObservationHandler<ReconciliationObservationContext> meteringReconciliationMeterObservationHandler(
			MeterRegistry registry) {
		return MeteringMeters.reconciliation(registry);
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
	MeterBinder meteringOutboxMetrics(UndeliveredUsage outbox, ObjectProvider<Clock> clock) {
		return MeteringMeters.outbox(outbox, clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	ApplicationListener<PayloadApplicationEvent<UsageThresholdReachedEvent>> meteringThresholdMetrics(
			MeterRegistry registry) {
		return MeteringMeters.thresholds(registry);
	}

	/**
	 * The metrics of the caches of provider look-ups metering builds, for a hosted
	 * provider; bound once every bean exists, as Spring Boot binds meter binders.
	 */
	@Bean
	MeterBinder meteringProviderCacheMetrics(ObjectProvider<ProviderCaches> caches) {
		return (registry) -> caches
			.ifAvailable((providerCaches) -> MeteringMeters.providerCaches(providerCaches).bindTo(registry));
	}

}
