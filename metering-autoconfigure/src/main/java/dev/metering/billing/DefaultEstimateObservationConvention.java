package dev.metering.billing;

import io.micrometer.common.KeyValues;

import dev.metering.billing.BillingObservationDocumentation.EstimateHighCardinalityKeyNames;
import dev.metering.billing.BillingObservationDocumentation.EstimateKeyNames;

/**
 * Names estimate observations {@value #NAME}, contextually after the model
 * ({@code estimate llama3}), with the low-cardinality keys {@code model} and
 * {@code reason}, and the high-cardinality key {@code metering.tokens}, the tokens
 * billed.
 *
 * @since 0.1.0
 */
public class DefaultEstimateObservationConvention implements EstimateObservationConvention {

	/** The name of estimate observations. */
	public static final String NAME = "metering.estimate";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(EstimateObservationContext context) {
		return "estimate " + context.getModel();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(EstimateObservationContext context) {
		return KeyValues.of(EstimateKeyNames.MODEL.withValue(context.getModel()),
				EstimateKeyNames.REASON.withValue(context.getReason()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(EstimateObservationContext context) {
		return KeyValues.of(EstimateHighCardinalityKeyNames.TOKENS.withValue(Long.toString(context.getTokens())));
	}

}
