package dev.metering.billing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of estimate observations: declare a bean of this type to replace
 * {@link DefaultEstimateObservationConvention}.
 *
 * @since 0.1.0
 */
public interface EstimateObservationConvention extends ObservationConvention<EstimateObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof EstimateObservationContext;
	}

}
