package dev.metering.provider.stripe;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import com.stripe.StripeClient;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.net.ApiResource;
import com.stripe.net.RawRequestOptions;
import com.stripe.net.Webhook;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.metering.provider.InvalidWebhookException;
import dev.metering.provider.ProviderEvent;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.WebhookNotification;

/**
 * Stripe's webhooks, from the event destinations that send to one path: snapshot events
 * ({@code customer.created}, {@code customer.updated}, {@code customer.deleted},
 * {@code checkout.session.completed}, {@code customer.subscription.*},
 * {@code billing.credit_grant.*}, {@code billing.credit_balance_transaction.created}; see
 * {@link StripeAccountEvents}) and thin events
 * ({@code v1.billing.meter.error_report_triggered},
 * {@code v1.billing.meter.no_meter_found}), each destination signing with its own secret
 * in the {@code Stripe-Signature} header, which stripe-java's {@link Webhook} checks.
 * <p>
 * A thin event carries no data: the error report it announces is read from Stripe
 * ({@code GET /v2/core/events/{id}}) only once the delivery is known to be new. Its JSON
 * is read as Stripe sends it, since stripe-java 33 models the report's reason without
 * accessors.
 */
final class StripeWebhooks implements ProviderWebhooks {

	static final String SIGNATURE_HEADER = "Stripe-Signature";

	/**
	 * The thin events of usage Stripe refused after accepting it, whose data has the same
	 * shape.
	 */
	private static final Set<String> METER_ERROR_EVENTS = Set.of("v1.billing.meter.error_report_triggered",
			"v1.billing.meter.no_meter_found");

	private static final String THIN_EVENT = "v2.core.event";

	private final StripeClient client;

	private final List<String> secrets;

	private final long toleranceSeconds;

	private final StripeAccountEvents accountEvents;

	private final Clock clock;

	private final JsonMapper json = JsonMapper.shared();

	/**
	 * @param client reads the error reports that thin events announce
	 * @param secrets the signing secret of each event destination sending to this
	 * application
	 * @param tolerance how old a signature may be; an older one is refused as a replay
	 * @param customerMetadataKey the customer metadata key that holds the organization or
	 * user ID
	 * @param clock tells how old a signature is
	 */
	StripeWebhooks(StripeClient client, List<String> secrets, Duration tolerance, String customerMetadataKey,
			Clock clock) {
		this.client = client;
		this.secrets = List.copyOf(secrets);
		this.toleranceSeconds = tolerance.toSeconds();
		this.accountEvents = new StripeAccountEvents(customerMetadataKey);
		this.clock = clock;
	}

	@Override
	public WebhookNotification verify(Function<String, String> headers, byte[] body) {
		String signature = headers.apply(SIGNATURE_HEADER);
		if (signature == null || signature.isBlank()) {
			throw new InvalidWebhookException("it has no " + SIGNATURE_HEADER + " header");
		}
		String payload = new String(body, StandardCharsets.UTF_8);
		checkSignature(payload, signature);
		JsonNode event = readJson(payload);
		String id = event.path("id").asString(null);
		String type = event.path("type").asString(null);
		if (id == null || type == null) {
			throw new InvalidWebhookException("it is not a Stripe event: it has no id or type");
		}
		if (THIN_EVENT.equals(event.path("object").asString(""))) {
			String context = event.path("context").asString(null);
			return new ReadWhenHandled(id, type, () -> errorReport(id, type, context));
		}
		Optional<String> grant = StripeAccountEvents.grantOf(type, event.path("data"));
		if (grant.isPresent()) {
			return new ReadWhenHandled(id, type, () -> creditGrantCustomer(grant.get()));
		}
		return new SnapshotEvent(id, type, this.accountEvents.read(type, event.path("data")));
	}

	private void checkSignature(String payload, String header) {
		String refusal = null;
		for (String secret : this.secrets) {
			try {
				Webhook.Signature.verifyHeader(payload, header, secret, this.toleranceSeconds, this.clock);
				return;
			}
			catch (SignatureVerificationException ex) {
				// the signature of one destination's secret, too old, says more than a
				// mismatch with another's
				String message = ex.getMessage();
				if (refusal == null || (message != null && message.contains("tolerance"))) {
					refusal = ex.getMessage();
				}
			}
			catch (RuntimeException ex) {
				// a timestamp that is no number, a part without a value
				refusal = "Malformed " + SIGNATURE_HEADER + " header";
			}
		}
		throw new InvalidWebhookException(refusal + " (with " + this.secrets.size() + " signing secret"
				+ ((this.secrets.size() == 1) ? "" : "s") + ", tolerance " + this.toleranceSeconds + "s)");
	}

	private JsonNode readJson(String text) {
		try {
			JsonNode node = this.json.readTree(text);
			if (!node.isObject()) {
				throw new InvalidWebhookException("its body is not a JSON object");
			}
			return node;
		}
		catch (JacksonException ex) {
			throw new InvalidWebhookException("its body is not JSON");
		}
	}

	/**
	 * The refusals of an error report: the sample errors Stripe names by identifier, and
	 * how many more of each type it counted.
	 */
	private ProviderEvent.UsageRefused refusals(String id, String type, JsonNode event) {
		JsonNode data = event.path("data");
		List<ProviderEvent.Refusal> refusals = new ArrayList<>();
		long unnamed = 0;
		for (JsonNode errorType : data.path("reason").path("error_types")) {
			String code = errorType.path("code").asString("unknown");
			long named = 0;
			for (JsonNode sample : errorType.path("sample_errors")) {
				String identifier = sample.path("request").path("identifier").asString(null);
				if (identifier != null) {
					refusals
						.add(new ProviderEvent.Refusal(identifier, code, sample.path("error_message").asString("")));
					named++;
				}
			}
			unnamed += Math.max(errorType.path("error_count").asLong(named) - named, 0);
		}
		String meter = event.path("related_object").path("id").asString(null);
		String description = "Stripe event " + id + " (" + type + ((meter != null) ? ", meter " + meter : "")
				+ ", events validated from " + data.path("validation_start").asString("?") + " to "
				+ data.path("validation_end").asString("?") + "): "
				+ data.path("developer_message_summary").asString("no summary");
		return new ProviderEvent.UsageRefused(refusals, unnamed, description);
	}

	private record SnapshotEvent(String id, String type, Optional<ProviderEvent> event) implements WebhookNotification {
	}

	/**
	 * The customer of the credit grant a credit balance transaction names, whose balance
	 * it changed.
	 */
	private Optional<ProviderEvent> creditGrantCustomer(String grantId) {
		try {
			String customerId = this.client.v1().billing().creditGrants().retrieve(grantId).getCustomer();
			return (customerId != null)
					? Optional.of(new ProviderEvent.AccountsChanged(Map.of(), Set.of(), Set.of(customerId)))
					: Optional.empty();
		}
		catch (StripeException ex) {
			throw failure("read credit grant " + grantId, ex);
		}
	}

	/** The error report a thin event announces, if it announces one. */
	private Optional<ProviderEvent> errorReport(String id, String type, @Nullable String context) {
		if (!METER_ERROR_EVENTS.contains(type)) {
			return Optional.empty();
		}
		RawRequestOptions.RawRequestOptionsBuilder options = RawRequestOptions.builder();
		if (context != null) {
			options.setStripeContext(context);
		}
		try {
			String body = this.client
				.rawRequest(ApiResource.RequestMethod.GET, "/v2/core/events/" + id, null, options.build())
				.body();
			return Optional.of(refusals(id, type, readJson(body)));
		}
		catch (StripeException ex) {
			throw failure("read event " + id, ex);
		}
	}

	private static StripeProviderException failure(String what, StripeException ex) {
		return new StripeProviderException(
				"Could not " + what + " at Stripe: " + StripeErrors.describe(ex, StripeErrors.message(ex)), ex,
				StripeErrors.lookupFailure(ex));
	}

	/**
	 * An event whose data does not say what it changed: that is read from Stripe when it
	 * is handled, once the delivery is known to be new.
	 */
	private record ReadWhenHandled(String id, String type,
			Supplier<Optional<ProviderEvent>> reader) implements WebhookNotification {

		@Override
		public Optional<ProviderEvent> event() {
			return this.reader.get();
		}

	}

}
