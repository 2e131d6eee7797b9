package dev.metering.billing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of admission observations: declare a bean of this type to replace
 * {@link DefaultAdmissionObservationConvention}.
 *
 * @since 0.1.0
 */
public interface AdmissionObservationConvention extends ObservationConvention<AdmissionObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof AdmissionObservationContext;
	}

}
