package dev.metering.delivery;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of provider request observations: declare a bean of this type to replace
 * {@link DefaultProviderRequestObservationConvention}.
 *
 * @since 0.1.0
 */
public interface ProviderRequestObservationConvention extends ObservationConvention<ProviderRequestObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof ProviderRequestObservationContext;
	}

}
