package dev.metering.delivery;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of delivery: each delivery pass (and each refusal of delivered usage a
 * provider reports), and each request to the provider within a pass.
 *
 * @since 0.1.0
 */
public enum DeliveryObservationDocumentation implements ObservationDocumentation {

	/**
	 * A delivery pass: the outbox's due events sent to the provider and settled by its
	 * answers; or the dead-lettering of usage the provider refused after it had accepted
	 * it, as its webhook reports.
	 */
	DELIVERY {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultDeliveryObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return DeliveryKeyNames.values();
		}

	},

	/** One request to the provider, for one event or a batch. */
	PROVIDER_REQUEST {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultProviderRequestObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return ProviderRequestKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return ProviderRequestHighCardinalityKeyNames.values();
		}

	};

	/** The low-cardinality keys of {@link #DELIVERY}. */
	public enum DeliveryKeyNames implements KeyName {

		/**
		 * The provider the events go to: {@code stripe}, {@code polar}, {@code local}.
		 */
		PROVIDER {

			@Override
			public String asString() {
				return "provider";
			}

		},

		/**
		 * What settled the events: {@code pass}, a delivery pass; {@code webhook}, the
		 * provider's report of usage it refused after accepting it.
		 */
		TRIGGER {

			@Override
			public String asString() {
				return "trigger";
			}

		}

	}

	/** The low-cardinality keys of {@link #PROVIDER_REQUEST}. */
	public enum ProviderRequestKeyNames implements KeyName {

		/** The provider asked. */
		PROVIDER {

			@Override
			public String asString() {
				return "provider";
			}

		},

		/**
		 * What the provider answered: {@code delivered}, {@code retry}, {@code held} or
		 * {@code rejected} when every event had that outcome, {@code partial} when a
		 * batch had several, {@code error} when the request threw.
		 */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}

		}

	}

	/** The high-cardinality keys of {@link #PROVIDER_REQUEST}. */
	public enum ProviderRequestHighCardinalityKeyNames implements KeyName {

		/** How many events the request carried. */
		EVENTS {

			@Override
			public String asString() {
				return "metering.events";
			}

		}

	}

}
