package dev.metering.delivery;

import java.util.Optional;

import dev.metering.BillingSubject;

/**
 * Names the provider's customer of an organization or user, for usage recorded while the
 * provider could not.
 */
@FunctionalInterface
interface CustomerLookup {

	/**
	 * The customer of a subject.
	 * @return its customer ID, or empty when the provider has no customer for it
	 * @throws RuntimeException when the provider cannot tell now
	 */
	Optional<String> customerOf(BillingSubject subject);

}
