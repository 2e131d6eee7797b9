package dev.metering.provider.polar;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.metering.provider.InvalidWebhookException;
import dev.metering.provider.ProviderEvent;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.WebhookNotification;

/**
 * Polar's webhooks, signed with the Standard Webhooks scheme. Customer events
 * ({@code customer.created}, {@code customer.updated}, {@code customer.state_changed})
 * name a customer by Polar's ID and its external ID, which is the organization or user it
 * bills: that is its customer from now on, without asking Polar. {@code subscription.*}
 * (created, active, updated, canceled, uncanceled, revoked …) and
 * {@code customer.state_changed} tell that a customer's subscriptions changed, which may
 * be cached under either ID; {@code customer.deleted} (or a customer with
 * {@code deleted_at}) that its organization has no customer any more. A grant of a
 * credits benefit ({@code benefit_grant.*} of a {@code meter_credit} benefit: created,
 * cycled, updated, revoked) changes the customer's meter credits, which are cached with
 * its subscription and evicted with it.
 */
final class PolarWebhooks implements ProviderWebhooks {

	private static final String SUBSCRIPTION_EVENTS = "subscription.";

	private static final String BENEFIT_GRANT_EVENTS = "benefit_grant.";

	/** The benefit that credits a customer's meter. */
	private static final String METER_CREDIT = "meter_credit";

	private static final String CUSTOMER_STATE_CHANGED = "customer.state_changed";

	private static final String CUSTOMER_DELETED = "customer.deleted";

	/** The events whose data is a customer (or a customer's state, which is one too). */
	private static final Set<String> CUSTOMER_EVENTS = Set.of("customer.created", "customer.updated",
			CUSTOMER_STATE_CHANGED, CUSTOMER_DELETED);

	private final StandardWebhookSignature signature;

	private final JsonMapper json = JsonMapper.shared();

	/**
	 * @param secrets the webhook endpoint's signing secrets, as Polar shows them
	 * @param tolerance how far a delivery's timestamp may be from now, either way; an
	 * older one is refused as a replay
	 * @param clock tells now
	 */
	PolarWebhooks(List<String> secrets, Duration tolerance, Clock clock) {
		this.signature = new StandardWebhookSignature(secrets, tolerance, clock);
	}

	@Override
	public WebhookNotification verify(Function<String, String> headers, byte[] body) {
		String id = this.signature.verify(headers, body);
		JsonNode event;
		try {
			event = this.json.readTree(body);
		}
		catch (JacksonException ex) {
			throw new InvalidWebhookException("its body is not JSON");
		}
		String type = event.path("type").asString(null);
		if (type == null) {
			throw new InvalidWebhookException("it is not a Polar event: it has no type");
		}
		return new Notification(id, type, accountsChanged(type, event.path("data")));
	}

	private static Optional<ProviderEvent> accountsChanged(String type, JsonNode data) {
		String customerId;
		String externalId;
		boolean deleted;
		boolean creditsChanged = type.startsWith(BENEFIT_GRANT_EVENTS)
				&& METER_CREDIT.equals(text(data.path("benefit").path("type")));
		if (type.startsWith(SUBSCRIPTION_EVENTS) || creditsChanged) {
			customerId = text(data.path("customer_id"));
			externalId = text(data.path("customer").path("external_id"));
			deleted = false;
		}
		else if (CUSTOMER_EVENTS.contains(type)) {
			customerId = text(data.path("id"));
			externalId = text(data.path("external_id"));
			deleted = CUSTOMER_DELETED.equals(type) || text(data.path("deleted_at")) != null;
		}
		else {
			return Optional.empty();
		}
		Map<String, String> customers = new HashMap<>();
		Set<String> referenceIds = new HashSet<>();
		Set<String> customerIds = new HashSet<>();
		if (externalId != null && customerId != null && !deleted) {
			customers.put(externalId, customerId);
		}
		else if (externalId != null) {
			referenceIds.add(externalId);
		}
		boolean subscriptionsChanged = type.startsWith(SUBSCRIPTION_EVENTS) || CUSTOMER_STATE_CHANGED.equals(type)
				|| creditsChanged || deleted;
		if (subscriptionsChanged) {
			Stream.of(customerId, externalId).filter(Objects::nonNull).forEach(customerIds::add);
		}
		ProviderEvent.AccountsChanged changed = new ProviderEvent.AccountsChanged(customers, referenceIds, customerIds);
		return changed.isEmpty() ? Optional.empty() : Optional.of(changed);
	}

	/** A string's text, or {@code null} when it is missing, {@code null} or blank. */
	private static @Nullable String text(JsonNode node) {
		String text = node.isString() ? node.asString() : null;
		return (text != null && !text.isBlank()) ? text : null;
	}

	private record Notification(String id, String type, Optional<ProviderEvent> event) implements WebhookNotification {
	}

}
