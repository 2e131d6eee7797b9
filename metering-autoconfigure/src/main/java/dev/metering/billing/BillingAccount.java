package dev.metering.billing;

/**
 * The billing account of an organization or user.
 *
 * @param referenceId the organization or user ID
 * @param customerId the provider's customer ID
 * @param plan the plan name, or {@code null} when the subject has no subscription of its own
 */
public record BillingAccount(String referenceId, String customerId, String plan) {

	public boolean hasSubscription() {
		return this.plan != null;
	}

}
