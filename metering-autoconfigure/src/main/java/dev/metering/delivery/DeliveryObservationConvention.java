package dev.metering.delivery;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of delivery observations: declare a bean of this type to replace
 * {@link DefaultDeliveryObservationConvention}.
 *
 * @since 0.1.0
 */
public interface DeliveryObservationConvention extends ObservationConvention<DeliveryObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof DeliveryObservationContext;
	}

}
