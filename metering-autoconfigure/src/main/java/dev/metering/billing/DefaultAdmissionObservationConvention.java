package dev.metering.billing;

import io.micrometer.common.KeyValues;

import dev.metering.billing.BillingObservationDocumentation.AdmissionKeyNames;

/**
 * Names admission observations {@value #NAME}, contextually after the meter
 * ({@code admit ai-tokens}), with the low-cardinality keys {@code outcome} and
 * {@code limit} once admission is decided, so that the timer of admissions in flight has
 * none.
 *
 * @since 0.1.0
 */
public class DefaultAdmissionObservationConvention implements AdmissionObservationConvention {

	/** The name of admission observations. */
	public static final String NAME = "metering.admission";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(AdmissionObservationContext context) {
		return (context.getMeter() != null) ? "admit " + context.getMeter() : "admit";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(AdmissionObservationContext context) {
		AdmissionObservationContext.Outcome outcome = context.getOutcome();
		if (outcome == null) {
			return KeyValues.empty();
		}
		return KeyValues.of(AdmissionKeyNames.OUTCOME.withValue(outcome.value()),
				AdmissionKeyNames.LIMIT.withValue((context.getLimit() != null) ? context.getLimit() : "none"));
	}

}
