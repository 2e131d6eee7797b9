package dev.metering.metrics;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationHandler;

import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;

import dev.metering.UsageThresholdReachedEvent;
import dev.metering.billing.AdmissionObservationContext;
import dev.metering.billing.EstimateObservationContext;
import dev.metering.billing.MeteredWorkObservationContext;
import dev.metering.billing.RecordingObservationContext;
import dev.metering.delivery.DeliveryObservationContext;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.provider.ProviderCaches;
import dev.metering.reconcile.ReconciliationObservationContext;

/**
 * Makes metering's meters: the observation handlers that turn its observations into
 * meters, the gauges of the outbox, the counter of thresholds reached and the metrics of
 * the provider caches.
 *
 * @since 0.1.0
 */
public final class MeteringMeters {

	private MeteringMeters() {
	}

	/** The meters of delivery passes and provider requests. */
	public static ObservationHandler<DeliveryObservationContext> delivery(MeterRegistry registry) {
		return new DeliveryMeterObservationHandler(registry);
	}

	/** The meters of plan admission. */
	public static ObservationHandler<AdmissionObservationContext> admission(MeterRegistry registry) {
		return new AdmissionMeterObservationHandler(registry);
	}

	/** The meters of recording. */
	public static ObservationHandler<RecordingObservationContext> recording(MeterRegistry registry) {
		return new RecordingMeterObservationHandler(registry);
	}

	/** The counter of look-ups that failed during metered work. */
	public static ObservationHandler<MeteredWorkObservationContext> lookupFailures(MeterRegistry registry) {
		return new LookupFailureMeterObservationHandler(registry);
	}

	/** The meters of estimated usage. */
	public static ObservationHandler<EstimateObservationContext> estimates(MeterRegistry registry) {
		return new EstimateMeterObservationHandler(registry);
	}

	/** The meters of reconciliation runs. */
	public static ObservationHandler<ReconciliationObservationContext> reconciliation(MeterRegistry registry) {
		return new ReconciliationMeterObservationHandler(registry);
	}

	/** The gauges of what waits in the outbox. */
	public static MeterBinder outbox(UndeliveredUsage outbox, Clock clock) {
		return new OutboxMetrics(outbox, clock);
	}

	/** The counter of usage thresholds reached. */
	public static ApplicationListener<PayloadApplicationEvent<UsageThresholdReachedEvent>> thresholds(
			MeterRegistry registry) {
		return new ThresholdMetrics(registry);
	}

	/** The metrics of the caches of provider look-ups. */
	public static MeterBinder providerCaches(ProviderCaches caches) {
		return new ProviderCacheMetrics(caches);
	}

}
