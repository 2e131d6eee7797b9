package dev.metering.limits;

import org.jspecify.annotations.Nullable;

/**
 * Tells the current billing period of a customer.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BillingPeriods {

	/**
	 * The current period of a customer.
	 * @param customerId the provider's customer ID, or {@code null} for a subject with no
	 * billing account (it gets the calendar month)
	 */
	BillingPeriod current(@Nullable String customerId);

}
