package dev.metering.provider;

import java.util.List;
import java.util.Set;

/**
 * What a provider's webhook tells metering.
 */
public sealed interface ProviderEvent permits ProviderEvent.SubscriptionChanged, ProviderEvent.UsageRefused {

	/**
	 * A customer's subscription changed at the provider: what is cached of its plan and period,
	 * and of who the customer is, is stale.
	 *
	 * @param customerIds the keys the customer's subscription may be cached under: the
	 * provider's customer ID and, where the provider has one, the external ID
	 * @param referenceIds organization or user IDs whose customer may be cached, such as "no
	 * customer" from before the customer subscribed
	 */
	record SubscriptionChanged(Set<String> customerIds, Set<String> referenceIds) implements ProviderEvent {

		public SubscriptionChanged {
			customerIds = Set.copyOf(customerIds);
			referenceIds = Set.copyOf(referenceIds);
		}

	}

	/**
	 * The provider refused usage events after it had accepted them.
	 *
	 * @param refusals the refused events it names
	 * @param unnamed how many more it refused without naming them
	 * @param description the provider's account of the refusals: meter, time window, summary
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
