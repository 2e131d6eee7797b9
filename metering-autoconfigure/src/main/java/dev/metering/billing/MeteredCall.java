package dev.metering.billing;

import dev.metering.limits.Admission;

/**
 * A model round trip admitted by {@link UsageMetering}, waiting for its token count.
 * Exactly one of {@link #complete} or {@link #abandon} should be called.
 *
 * @param account the account billed, or {@code null} when the call runs unbilled
 * @param reservation the reservation held against the plan limit, or {@code null}
 */
public record MeteredCall(UsageMetering metering, BillingAccount account, MeterDefinition meter, UsageScope scope,
		Admission.Reservation reservation) {

	public void complete(long promptTokens, long completionTokens) {
		this.metering.complete(this, this.meter.tokens().count(promptTokens, completionTokens));
	}

	/** The call produced no tokens: release what it reserved, bill nothing. */
	public void abandon() {
		this.metering.complete(this, 0);
	}

}
