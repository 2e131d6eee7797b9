package dev.metering.reconcile;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observation of reconciliation: each comparison of a window's delivered usage with
 * the provider's totals.
 *
 * @since 0.1.0
 */
public enum ReconciliationObservationDocumentation implements ObservationDocumentation {

	/**
	 * One reconciliation of a closed window, scheduled or asked for through the endpoint.
	 */
	RECONCILIATION {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultReconciliationObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return ReconciliationKeyNames.values();
		}

	};

	/** The low-cardinality keys of {@link #RECONCILIATION}. */
	public enum ReconciliationKeyNames implements KeyName {

		/** The provider whose totals are compared. */
		PROVIDER {

			@Override
			public String asString() {
				return "provider";
			}

		},

		/**
		 * Once the reconciliation is done: {@code agreed}, every total as delivered;
		 * {@code drifted}, some differed; {@code incomplete}, none differed but the
		 * provider could not answer for some customers; {@code error}, it threw.
		 */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}

		}

	}

}
