package dev.metering.billing;

import io.micrometer.common.KeyValues;

import dev.metering.billing.BillingObservationDocumentation.RecordingKeyNames;

/**
 * Names recording observations {@value #NAME}, contextually after the meter
 * ({@code record ai-tokens}), with the low-cardinality key {@code outcome} once the
 * recording is done, so that the timer of recordings in flight has none.
 *
 * @since 0.1.0
 */
public class DefaultRecordingObservationConvention implements RecordingObservationConvention {

	/** The name of recording observations. */
	public static final String NAME = "metering.recording";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(RecordingObservationContext context) {
		return (context.getMeter() != null) ? "record " + context.getMeter() : "record";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(RecordingObservationContext context) {
		RecordingObservationContext.Outcome outcome = context.getOutcome();
		return (outcome != null) ? KeyValues.of(RecordingKeyNames.OUTCOME.withValue(outcome.value()))
				: KeyValues.empty();
	}

}
