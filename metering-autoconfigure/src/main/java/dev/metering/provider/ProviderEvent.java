package dev.metering.provider;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a provider's webhook tells metering.
 *
 * @since 0.1.0
 */
public sealed interface ProviderEvent permits ProviderEvent.AccountsChanged, ProviderEvent.UsageRefused {

	/**
	 * What the provider told of its customers: who an organization's or user's customer
	 * is, and whose cached customer or subscription is stale.
	 *
	 * @param customers customer IDs by the organization or user ID they bill, where the
	 * event names both: cached at once, so that the next call needs no look-up, which a
	 * provider's search may answer from before the customer existed
	 * @param referenceIds organization or user IDs whose customer may be cached wrongly,
	 * such as "no customer" from before the customer was created: asked again at the next
	 * call
	 * @param customerIds the keys a customer's subscription may be cached under (the
	 * provider's customer ID and, where the provider has one, the external ID): its plan
	 * and period are read again at the next call
	 */
	record AccountsChanged(Map<String, String> customers, Set<String> referenceIds,
			Set<String> customerIds) implements ProviderEvent {

		public AccountsChanged {
			customers = Map.copyOf(customers);
			referenceIds = Set.copyOf(referenceIds);
			customerIds = Set.copyOf(customerIds);
		}

		/** Nothing to change. */
		public boolean isEmpty() {
			return this.customers.isEmpty() && this.referenceIds.isEmpty() && this.customerIds.isEmpty();
		}

	}

	/**
	 * The provider refused usage events after it had accepted them.
	 *
	 * @param refusals the refused events it names
	 * @param unnamed how many more it refused without naming them
	 * @param description the provider's account of the refusals: meter, time window,
	 * summary
	 */
	record UsageRefused(List<Refusal> refusals, long unnamed, String description) implements ProviderEvent {

		public UsageRefused {
			refusals = List.copyOf(refusals);
		}

	}

	/**
	 * One refused usage event.
	 *
	 * @param identifier the event's idempotency identifier
	 * @param code the provider's error code
	 * @param message the provider's error message
	 */
	record Refusal(String identifier, String code, String message) {
	}

}
