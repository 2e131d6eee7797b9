package dev.metering.delivery;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of delivery observations: declare a bean of this type to replace
 * {@link DefaultDeliveryObservationConvention}.
 */
public interface DeliveryObservationConvention extends ObservationConvention<DeliveryObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof DeliveryObservationContext;
	}

}
