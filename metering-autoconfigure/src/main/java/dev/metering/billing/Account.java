package dev.metering.billing;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;

/**
 * The billing account of an organization or user, as a call bills it.
 *
 * @param subject the organization or user
 * @param customerId the provider's customer ID, or {@code null} when the provider could
 * not name it when the call began (an outage that
 * {@code metering.limits.on-lookup-failure} let through): the usage then waits for the
 * customer in the outbox
 * @param plan the plan name, or {@code null} when the subject has no subscription of its
 * own
 */
record Account(BillingSubject subject, @Nullable String customerId, @Nullable String plan) {

	/** The organization or user ID. */
	public String referenceId() {
		return this.subject.referenceId();
	}

	public boolean hasSubscription() {
		return this.plan != null;
	}

}
