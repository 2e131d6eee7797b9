package dev.metering.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

import dev.metering.billing.RecordingObservationContext;

/**
 * Counts what recording observations tell: {@code metering.events.refused}, usage the
 * recorder would not take, so that it is not billed.
 */
final class RecordingMeterObservationHandler implements ObservationHandler<RecordingObservationContext> {

	private final Counter refused;

	RecordingMeterObservationHandler(MeterRegistry registry) {
		this.refused = Counter.builder("metering.events.refused")
			.description("Usage that could not be recorded, so it was not billed")
			.register(registry);
	}

	@Override
	public void onStop(RecordingObservationContext context) {
		this.refused.increment(context.getRefusedEvents());
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof RecordingObservationContext;
	}

}
