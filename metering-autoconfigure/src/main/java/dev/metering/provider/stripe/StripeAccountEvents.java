package dev.metering.provider.stripe;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.metering.provider.ProviderEvent;

/**
 * What Stripe's snapshot events tell of who an organization's customer is and of its
 * subscription, read from the event's object as Stripe sends it:
 * <ul>
 * <li>{@code customer.created}, {@code customer.updated}: the customer whose metadata
 * (under the key customers are searched by) names the organization is its customer; an
 * organization the update took off the customer is asked again;</li>
 * <li>{@code customer.deleted}: its organization and subscription are asked again;</li>
 * <li>{@code checkout.session.completed}: the session's customer is the customer of the
 * organization its metadata names, else of its {@code client_reference_id}, and its
 * subscription (just started) is read again;</li>
 * <li>{@code customer.subscription.*}: the customer's subscription is read again.</li>
 * <li>{@code billing.credit_grant.created}, {@code billing.credit_grant.updated}: the
 * grant's customer's balance is read again, with its subscription;</li>
 * <li>{@code billing.credit_balance_transaction.created}: the same, when the transaction
 * carries its grant expanded; a grant named by ID is read from Stripe
 * ({@link #grantOf}).</li>
 * </ul>
 * A customer named by the event needs no search, which lags behind new customers.
 */
final class StripeAccountEvents {

	private static final String SUBSCRIPTION_EVENTS = "customer.subscription.";

	static final String CREDIT_TRANSACTION_CREATED = "billing.credit_balance_transaction.created";

	private static final Set<String> CREDIT_GRANT_EVENTS = Set.of("billing.credit_grant.created",
			"billing.credit_grant.updated");

	private final String customerMetadataKey;

	/**
	 * @param customerMetadataKey the customer metadata key that holds the organization or
	 * user ID
	 */
	StripeAccountEvents(String customerMetadataKey) {
		this.customerMetadataKey = customerMetadataKey;
	}

	/**
	 * @param type the event's type
	 * @param data the event's {@code data}: its {@code object} and, for updates,
	 * {@code previous_attributes}
	 * @return what changed, or empty when the event tells nothing of customers
	 */
	Optional<ProviderEvent> read(String type, JsonNode data) {
		JsonNode object = data.path("object");
		Map<String, String> customers = new HashMap<>();
		Set<String> referenceIds = new HashSet<>();
		Set<String> customerIds = new HashSet<>();
		if (type.startsWith(SUBSCRIPTION_EVENTS) || CREDIT_GRANT_EVENTS.contains(type)) {
			addIfPresent(customerIds, id(object.path("customer")));
		}
		else if (type.equals(CREDIT_TRANSACTION_CREATED) && object.path("credit_grant").isObject()) {
			addIfPresent(customerIds, id(object.path("credit_grant").path("customer")));
		}
		else if (type.equals("customer.created") || type.equals("customer.updated")) {
			String customerId = text(object.path("id"));
			String referenceId = referenceId(object);
			if (customerId != null && referenceId != null) {
				customers.put(referenceId, customerId);
			}
			String previous = referenceId(data.path("previous_attributes"));
			if (previous != null && !previous.equals(referenceId)) {
				referenceIds.add(previous);
			}
		}
		else if (type.equals("customer.deleted")) {
			addIfPresent(referenceIds, referenceId(object));
			addIfPresent(customerIds, text(object.path("id")));
		}
		else if (type.equals("checkout.session.completed")) {
			String customerId = id(object.path("customer"));
			String referenceId = referenceId(object);
			referenceId = (referenceId != null) ? referenceId : text(object.path("client_reference_id"));
			if (customerId != null && referenceId != null) {
				customers.put(referenceId, customerId);
			}
			else {
				addIfPresent(referenceIds, referenceId);
			}
			addIfPresent(customerIds, customerId);
		}
		ProviderEvent.AccountsChanged changed = new ProviderEvent.AccountsChanged(customers, referenceIds, customerIds);
		return changed.isEmpty() ? Optional.empty() : Optional.of(changed);
	}

	/**
	 * The ID of the credit grant a {@value #CREDIT_TRANSACTION_CREATED} event names
	 * without expanding it, whose customer only Stripe can tell.
	 * @return the grant's ID, or empty when the event is of another type or carries the
	 * grant expanded
	 */
	static Optional<String> grantOf(String type, JsonNode data) {
		JsonNode grant = data.path("object").path("credit_grant");
		return type.equals(CREDIT_TRANSACTION_CREATED) ? Optional.ofNullable(text(grant)) : Optional.empty();
	}

	/** The organization or user ID in an object's metadata, or {@code null}. */
	private @Nullable String referenceId(JsonNode object) {
		return text(object.path("metadata").path(this.customerMetadataKey));
	}

	/** An object's ID: the ID itself, or the object when it is expanded. */
	private static @Nullable String id(JsonNode idOrObject) {
		return text(idOrObject.isObject() ? idOrObject.path("id") : idOrObject);
	}

	/** A string's text, or {@code null} when it is missing, not a string or blank. */
	private static @Nullable String text(JsonNode node) {
		String text = node.isString() ? node.asString() : null;
		return (text != null && !text.isBlank()) ? text : null;
	}

	private static void addIfPresent(Set<String> ids, @Nullable String id) {
		if (id != null) {
			ids.add(id);
		}
	}

}
