package dev.metering.reconcile;

import java.time.Instant;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@link ReconciliationObservationDocumentation#RECONCILIATION
 * reconciliation observation}: the provider, the window, and once done what the
 * reconciliation found.
 *
 * @since 0.1.0
 */
public final class ReconciliationObservationContext extends Observation.Context {

	private final String provider;

	private final Instant start;

	private final Instant end;

	private @Nullable Reconciliation reconciliation;

	/**
	 * @param provider the name of the provider whose totals are compared
	 * @param start the start of the window, inclusive
	 * @param end the end of the window, exclusive
	 */
	public ReconciliationObservationContext(String provider, Instant start, Instant end) {
		this.provider = provider;
		this.start = start;
		this.end = end;
	}

	public String getProvider() {
		return this.provider;
	}

	public Instant getStart() {
		return this.start;
	}

	public Instant getEnd() {
		return this.end;
	}

	/**
	 * What the reconciliation found, or {@code null} until it is done, and when it threw.
	 */
	public @Nullable Reconciliation getReconciliation() {
		return this.reconciliation;
	}

	public void setReconciliation(Reconciliation reconciliation) {
		this.reconciliation = reconciliation;
	}

}
