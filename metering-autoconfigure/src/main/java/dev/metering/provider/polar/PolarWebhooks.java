package dev.metering.provider.polar;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.metering.provider.InvalidWebhookException;
import dev.metering.provider.ProviderEvent;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.WebhookNotification;

/**
 * Polar's webhooks, signed with the Standard Webhooks scheme: {@code subscription.*} (created,
 * active, updated, canceled, uncanceled, revoked …) and {@code customer.state_changed} tell
 * that a customer's subscriptions changed. The customer is named by Polar's ID and, when it
 * has one, the external ID, under either of which its subscription may be cached.
 */
public final class PolarWebhooks implements ProviderWebhooks {

	private static final String SUBSCRIPTION_EVENTS = "subscription.";

	private static final String CUSTOMER_STATE_CHANGED = "customer.state_changed";

	private final StandardWebhookSignature signature;

	private final JsonMapper json = JsonMapper.shared();

	/**
	 * @param secrets the webhook endpoint's signing secrets, as Polar shows them
	 * @param tolerance how far a delivery's timestamp may be from now, either way; an older one
	 * is refused as a replay
	 * @param clock tells now
	 */
	public PolarWebhooks(List<String> secrets, Duration tolerance, Clock clock) {
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
		return new Notification(id, type, subscriptionChanged(type, event.path("data")));
	}

	private static Optional<ProviderEvent> subscriptionChanged(String type, JsonNode data) {
		String customerId;
		String externalId;
		if (type.startsWith(SUBSCRIPTION_EVENTS)) {
			customerId = data.path("customer_id").asString(null);
			externalId = data.path("customer").path("external_id").asString(null);
		}
		else if (CUSTOMER_STATE_CHANGED.equals(type)) {
			customerId = data.path("id").asString(null);
			externalId = data.path("external_id").asString(null);
		}
		else {
			return Optional.empty();
		}
		Set<String> customerIds = new LinkedHashSet<>();
		if (customerId != null) {
			customerIds.add(customerId);
		}
		if (externalId != null) {
			customerIds.add(externalId);
		}
		if (customerIds.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(new ProviderEvent.SubscriptionChanged(customerIds,
				(externalId != null) ? Set.of(externalId) : Set.of()));
	}

	private record Notification(String id, String type, Optional<ProviderEvent> event) implements WebhookNotification {
	}

}
