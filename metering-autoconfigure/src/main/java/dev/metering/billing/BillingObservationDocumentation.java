package dev.metering.billing;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of metered calls and {@code @MeteredUsage} methods: their admission
 * against the plan before they run, the recording of their usage after, and each model
 * round trip billed by estimate.
 *
 * @since 0.1.0
 */
public enum BillingObservationDocumentation implements ObservationDocumentation {

	/**
	 * The admission of a model call, or of a {@code @MeteredUsage} method that records a
	 * quantity: who is billed, and room under the plan's limit reserved.
	 */
	ADMISSION {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultAdmissionObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return AdmissionKeyNames.values();
		}

	},

	/**
	 * The recording of what a model call or a {@code @MeteredUsage} method used: priced,
	 * settled against its reservation, and written to the outbox (or collected by its
	 * scope).
	 */
	RECORDING {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultRecordingObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return RecordingKeyNames.values();
		}

	},

	/** A model round trip billed by estimate, for want of usage the model reported. */
	ESTIMATE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultEstimateObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return EstimateKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return EstimateHighCardinalityKeyNames.values();
		}

	};

	/** The low-cardinality keys of {@link #ADMISSION}. */
	public enum AdmissionKeyNames implements KeyName {

		/**
		 * {@code admitted}; {@code capped}, admitted with its completion lowered to what
		 * the budget pays for; {@code refused} (over the limit, without an account where
		 * one is required, or while metering cannot keep usage); {@code unbilled}, let
		 * through without a billing account.
		 */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}

		},

		/** The plan limit admitted against, or {@code none}. */
		LIMIT {

			@Override
			public String asString() {
				return "limit";
			}

		}

	}

	/** The low-cardinality keys of {@link #RECORDING}. */
	public enum RecordingKeyNames implements KeyName {

		/**
		 * {@code recorded}, written to the outbox; {@code collected}, added to the
		 * enclosing {@code @MeteredUsage} scope's usage; {@code refused}, some usage the
		 * recorder would not take (so it is not billed); {@code unbilled}, no billing
		 * account; {@code none}, nothing used.
		 */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}

		}

	}

	/** The low-cardinality keys of {@link #ESTIMATE}. */
	public enum EstimateKeyNames implements KeyName {

		/**
		 * The model that answered, or else the one asked for: the application's, so few.
		 */
		MODEL {

			@Override
			public String asString() {
				return "model";
			}

		},

		/**
		 * {@code unreported}, a response came whole without usage; {@code cancelled} or
		 * {@code failed}, a stream ended early.
		 */
		REASON {

			@Override
			public String asString() {
				return "reason";
			}

		}

	}

	/** The high-cardinality keys of {@link #ESTIMATE}. */
	public enum EstimateHighCardinalityKeyNames implements KeyName {

		/** The tokens billed by estimate. */
		TOKENS {

			@Override
			public String asString() {
				return "metering.tokens";
			}

		}

	}

}
