package dev.metering;

import java.util.Optional;

/**
 * The application's own record of who pays: an organization's or user's customer ID at
 * the provider, and its plan, e.g. from a JPA repository filled when the customer checks
 * out. Beans of this type are asked, in order, after {@code metering.accounts} and before
 * the provider: an account they know needs no look-up at the provider, so a new customer
 * is billed from its first call, and a provider outage never leaves its usage without a
 * customer.
 * <p>
 * Called on the caller's thread for every metered call whose subject has no configured
 * account: answer from memory or a fast local store. An exception fails the call.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BillingAccountResolver {

	/**
	 * The account of a subject.
	 * @return the account, or empty to let the next resolver, then the provider, tell
	 */
	Optional<BillingAccount> find(BillingSubject subject);

}
