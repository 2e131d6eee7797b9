package dev.metering.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

import dev.metering.reconcile.Reconciliation;
import dev.metering.reconcile.ReconciliationObservationContext;

/**
 * Keeps what reconciliation observations tell was found, per meter key: the gauge
 * {@code metering.reconcile.drift}, the usage by which the provider's totals differed
 * from what was delivered in the last reconciliation (summed over customers, either way),
 * and the counter {@code metering.reconcile.mismatches} of customers found drifting. Both
 * exist from the first reconciliation of a meter, at zero when it finds no drift.
 */
final class ReconciliationMeterObservationHandler implements ObservationHandler<ReconciliationObservationContext> {

	private final MeterRegistry registry;

	private final Map<String, AtomicLong> drift = new ConcurrentHashMap<>();

	ReconciliationMeterObservationHandler(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onStop(ReconciliationObservationContext context) {
		Reconciliation reconciliation = context.getReconciliation();
		if (reconciliation == null) {
			return;
		}
		for (String meter : reconciliation.meters()) {
			List<Reconciliation.Drift> drifts = reconciliation.drifts()
				.stream()
				.filter((drift) -> drift.meter().equals(meter))
				.toList();
			driftOf(meter).set(drifts.stream().mapToLong((drift) -> Math.abs(drift.difference())).sum());
			Counter.builder("metering.reconcile.mismatches")
				.description("Customers whose total at the provider differed from the usage delivered to it")
				.tag("meter", meter)
				.register(this.registry)
				.increment(drifts.size());
		}
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof ReconciliationObservationContext;
	}

	private AtomicLong driftOf(String meter) {
		// one gauge per meter key: the keys are configured, so their number is bounded
		return this.drift.computeIfAbsent(meter, (key) -> {
			AtomicLong value = new AtomicLong();
			Gauge.builder("metering.reconcile.drift", value, AtomicLong::get)
				.description("Usage by which the provider's totals differed from what was delivered, in the last "
						+ "reconciliation, summed over customers")
				.tag("meter", key)
				.register(this.registry);
			return value;
		});
	}

}
