package dev.metering.reconcile;

import io.micrometer.common.KeyValues;
import org.jspecify.annotations.Nullable;

import dev.metering.reconcile.ReconciliationObservationDocumentation.ReconciliationKeyNames;

/**
 * Names reconciliation observations {@value #NAME}, contextually after the provider
 * ({@code stripe reconciliation}), with the low-cardinality keys {@code provider} and,
 * once the reconciliation is done, {@code outcome}.
 *
 * @since 0.1.0
 */
public class DefaultReconciliationObservationConvention implements ReconciliationObservationConvention {

	/** The name of reconciliation observations. */
	public static final String NAME = "metering.reconciliation";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(ReconciliationObservationContext context) {
		return context.getProvider() + " reconciliation";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(ReconciliationObservationContext context) {
		KeyValues keyValues = KeyValues.of(ReconciliationKeyNames.PROVIDER.withValue(context.getProvider()));
		String outcome = outcome(context);
		return (outcome != null) ? keyValues.and(ReconciliationKeyNames.OUTCOME.withValue(outcome)) : keyValues;
	}

	private static @Nullable String outcome(ReconciliationObservationContext context) {
		if (context.getError() != null) {
			return "error";
		}
		Reconciliation reconciliation = context.getReconciliation();
		if (reconciliation == null) {
			return null;
		}
		if (!reconciliation.drifts().isEmpty()) {
			return "drifted";
		}
		return reconciliation.failures().isEmpty() ? "agreed" : "incomplete";
	}

}
