package dev.metering.reconcile;

/**
 * Keeps what reconciliations find where the application watches its metrics; nothing unless
 * it has somewhere to keep it.
 */
public interface ReconciliationMetrics {

	/** Keeps nothing. */
	ReconciliationMetrics NONE = new ReconciliationMetrics() {
	};

	default void reconciled(Reconciliation reconciliation) {
	}

}
