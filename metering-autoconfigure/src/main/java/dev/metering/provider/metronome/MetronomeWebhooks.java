package dev.metering.provider.metronome;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.client.RestClientException;

import dev.metering.provider.HttpStatusFailures;
import dev.metering.provider.InvalidWebhookException;
import dev.metering.provider.ProviderEvent;
import dev.metering.provider.ProviderLookupException;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.WebhookNotification;

/**
 * Metronome's webhooks, signed per {@link MetronomeWebhookSignature}. Threshold
 * notifications ({@code alerts.*}: a low commit or credit balance, a spend or usage
 * threshold reached) name their customer in {@code properties.customer_id}; system
 * notifications of contracts, commits and credits ({@code contract.*}, {@code commit.*},
 * {@code credit.*}: created, started, edited, ended, archived, a segment started or
 * ended) at the top level. Either tells that the customer's contract, and so its plan,
 * period and balances, may have changed.
 * <p>
 * A notification names the customer by Metronome's ID only: its ingest aliases, under
 * which an account may name it and which are the organizations or users it bills, are
 * read from Metronome ({@code GET /v1/customers/{id}}) once the delivery is known to be
 * new. Each alias is then cached as the customer of that organization, and the contract
 * cached under the ID or any alias is read again at the next call.
 */
final class MetronomeWebhooks implements ProviderWebhooks {

	private static final String ALERTS = "alerts.";

	private static final List<String> CONTRACT_EVENTS = List.of("contract.", "commit.", "credit.");

	private final MetronomeClient client;

	private final MetronomeWebhookSignature signature;

	private final JsonMapper json = JsonMapper.shared();

	/**
	 * @param client reads the ingest aliases of the customer a notification names
	 * @param secrets the secret of each Metronome webhook that posts to this application
	 * @param tolerance how far a delivery's date may be from now, either way; an older
	 * one is refused as a replay
	 * @param clock tells now
	 */
	MetronomeWebhooks(MetronomeClient client, List<String> secrets, Duration tolerance, Clock clock) {
		this.client = client;
		this.signature = new MetronomeWebhookSignature(secrets, tolerance, clock);
	}

	@Override
	public WebhookNotification verify(Function<String, String> headers, byte[] body) {
		this.signature.verify(headers, body);
		JsonNode notification;
		try {
			notification = this.json.readTree(body);
		}
		catch (JacksonException ex) {
			throw new InvalidWebhookException("its body is not JSON");
		}
		String id = text(notification.path("id"));
		String type = text(notification.path("type"));
		if (id == null || type == null) {
			throw new InvalidWebhookException("it is not a Metronome notification: it has no id or no type");
		}
		String customerId = type.startsWith(ALERTS) ? text(notification.path("properties").path("customer_id"))
				: contractEvent(type) ? text(notification.path("customer_id")) : null;
		return new Notification(id, type, customerId);
	}

	private static boolean contractEvent(String type) {
		return CONTRACT_EVENTS.stream().anyMatch(type::startsWith);
	}

	/** The customer's contract may have changed: under its ID and every alias. */
	private Optional<ProviderEvent> contractChanged(String customerId) {
		Map<String, String> customers = new HashMap<>();
		Set<String> keys = new HashSet<>();
		keys.add(customerId);
		for (String alias : ingestAliases(customerId)) {
			customers.put(alias, customerId);
			keys.add(alias);
		}
		return Optional.of(new ProviderEvent.AccountsChanged(customers, Set.of(), keys));
	}

	/**
	 * {@code GET /v1/customers/{id}}: the customer's ingest aliases, none when it is
	 * gone.
	 */
	private List<String> ingestAliases(String customerId) {
		MetronomeResponse response;
		try {
			response = this.client.get((uri) -> uri.path("/v1/customers/{id}").build(customerId));
		}
		catch (RestClientException ex) {
			throw new MetronomeProviderException(
					"Could not read customer " + customerId + " at Metronome: " + this.client.describe(ex), ex,
					ProviderLookupException.Kind.PASSING);
		}
		if (response.status() == 404) {
			return List.of();
		}
		if (!response.successful()) {
			throw new MetronomeProviderException(
					"Could not read customer " + customerId + " at Metronome: " + response.describe(), null,
					HttpStatusFailures.lookupFailure(response.status()));
		}
		return response.body()
			.path("data")
			.path("ingest_aliases")
			.values()
			.stream()
			.map(MetronomeWebhooks::text)
			.filter((alias) -> alias != null)
			.toList();
	}

	/** A string's text, or {@code null} when it is missing, {@code null} or blank. */
	private static @Nullable String text(JsonNode node) {
		String text = node.isString() ? node.asString() : null;
		return (text != null && !text.isBlank()) ? text : null;
	}

	/** A verified notification; what it changes is read when it is handled. */
	private final class Notification implements WebhookNotification {

		private final String id;

		private final String type;

		private final @Nullable String customerId;

		Notification(String id, String type, @Nullable String customerId) {
			this.id = id;
			this.type = type;
			this.customerId = customerId;
		}

		@Override
		public String id() {
			return this.id;
		}

		@Override
		public String type() {
			return this.type;
		}

		@Override
		public Optional<ProviderEvent> event() {
			return (this.customerId != null) ? contractChanged(this.customerId) : Optional.empty();
		}

	}

}
