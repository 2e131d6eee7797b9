package dev.metering.billing;

/**
 * What happens to a call whose subject has no billing account.
 *
 * @since 0.1.0
 */
public enum MissingCustomerPolicy {

	/** Refuse with {@link dev.metering.MissingBillingAccountException}. */
	REJECT,
	/** Let it through unbilled, and count it. */
	SKIP

}
