package dev.metering;

import org.jspecify.annotations.Nullable;

/**
 * Who pays for a subject's usage, as the application's own records tell it: the
 * provider's customer ID, and the plan when the application knows it.
 *
 * @param customerId the provider's customer ID, e.g. {@code cus_…} for Stripe
 * @param plan the plan under {@code metering.plans}, or {@code null} to take it from the
 * customer's subscription at the provider, else {@code metering.default-plan}
 * @since 0.1.0
 * @see BillingAccountResolver
 */
public record BillingAccount(String customerId, @Nullable String plan) {

	public BillingAccount {
		if (customerId == null || customerId.isBlank()) {
			throw new IllegalArgumentException("customerId must not be blank");
		}
		if (plan != null && plan.isBlank()) {
			throw new IllegalArgumentException("plan must be null or a plan name, was blank");
		}
	}

	/**
	 * An account whose plan comes from the provider's subscription, else the default
	 * plan.
	 */
	public static BillingAccount of(String customerId) {
		return new BillingAccount(customerId, null);
	}

}
