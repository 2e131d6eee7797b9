package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

import dev.metering.billing.EstimateObservationContext;

/**
 * Counts the model round trips billed by estimate, {@code metering.usage.estimated},
 * tagged with the {@code model} and the {@code reason}.
 */
final class EstimateMeterObservationHandler implements ObservationHandler<EstimateObservationContext> {

	private final MeterRegistry registry;

	EstimateMeterObservationHandler(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onStop(EstimateObservationContext context) {
		// one counter per model and reason: the models are the application's, so they are
		// few
		Counter.builder("metering.usage.estimated")
			.description("Model round trips billed by estimate, for want of usage the model reported")
			.tag("model", context.getModel())
			.tag("reason", context.getReason())
			.register(this.registry)
			.increment();
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof EstimateObservationContext;
	}

}
