package dev.metering.billing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of recording observations: declare a bean of this type to replace
 * {@link DefaultRecordingObservationConvention}.
 *
 * @since 0.1.0
 */
public interface RecordingObservationConvention extends ObservationConvention<RecordingObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof RecordingObservationContext;
	}

}
