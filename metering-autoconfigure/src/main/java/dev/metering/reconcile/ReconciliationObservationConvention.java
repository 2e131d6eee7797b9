package dev.metering.reconcile;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of reconciliation observations: declare a bean of this type to replace
 * {@link DefaultReconciliationObservationConvention}.
 *
 * @since 0.1.0
 */
public interface ReconciliationObservationConvention extends ObservationConvention<ReconciliationObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof ReconciliationObservationContext;
	}

}
