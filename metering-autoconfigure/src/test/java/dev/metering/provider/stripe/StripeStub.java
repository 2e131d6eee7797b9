package dev.metering.provider.stripe;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.stripe.net.Webhook;

import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * Stripe's wire format, as its API reference shows it, for WireMock.
 */
final class StripeStub {

	static final String METER_EVENTS = "/v1/billing/meter_events";

	private StripeStub() {
	}

	static MappingBuilder meterEvents() {
		return post(urlEqualTo(METER_EVENTS));
	}

	static MappingBuilder eventSummaries(String meterId) {
		return get(urlPathEqualTo("/v1/billing/meters/" + meterId + "/event_summaries"));
	}

	static MappingBuilder customerSearch() {
		return get(urlPathEqualTo("/v1/customers/search"));
	}

	static MappingBuilder subscriptions() {
		return get(urlPathEqualTo("/v1/subscriptions"));
	}

	static MappingBuilder meterEventSession() {
		return post(urlEqualTo("/v2/billing/meter_event_session"));
	}

	static MappingBuilder meterEventStream() {
		return post(urlEqualTo("/v2/billing/meter_event_stream"));
	}

	static ResponseDefinitionBuilder session(String token, java.time.Instant expiresAt) {
		return json(200,
				"{\"id\":\"mes_" + token + "\",\"object\":\"v2.billing.meter_event_session\","
						+ "\"authentication_token\":\"" + token + "\",\"created\":\"" + Instant.now()
						+ "\",\"expires_at\":\"" + expiresAt + "\",\"livemode\":false}");
	}

	static ResponseDefinitionBuilder sessionExpired() {
		return json(401, "{\"error\":{\"type\":\"temporary_session_expired\",\"code\":"
				+ "\"billing_meter_event_session_expired\",\"message\":\"The meter event session has expired.\"}}");
	}

	static ResponseDefinitionBuilder meterEventCreated() {
		return json(200,
				"{\"object\":\"billing.meter_event\",\"created\":1763900000,\"event_name\":\"ai_tokens\","
						+ "\"identifier\":\"usage_x\",\"livemode\":false,\"payload\":{\"stripe_customer_id\":\"cus_1\","
						+ "\"value\":\"1\"},\"timestamp\":1763900000}");
	}

	static ResponseDefinitionBuilder error(int status, String type, String code, String message) {
		return json(status, "{\"error\":{\"type\":\"" + type + "\""
				+ ((code != null) ? ",\"code\":\"" + code + "\"" : "") + ",\"message\":\"" + message + "\"}}");
	}

	static ResponseDefinitionBuilder duplicateIdentifier(String identifier) {
		return error(400, "invalid_request_error", null, "An event already exists with identifier " + identifier + ".");
	}

	/**
	 * A {@code list} of {@code billing.meter_event_summary}, one per {@code {start, end,
	 * value}}.
	 */
	static ResponseDefinitionBuilder summaries(String meterId, boolean hasMore, long[]... windows) {
		String data = java.util.Arrays.stream(windows)
			.map((w) -> "{\"id\":\"mtrusg_" + w[0] + "\",\"object\":\"billing.meter_event_summary\","
					+ "\"aggregated_value\":" + w[2] + ".0,\"end_time\":" + w[1] + ",\"livemode\":false,\"meter\":\""
					+ meterId + "\",\"start_time\":" + w[0] + "}")
			.collect(Collectors.joining(","));
		return json(200, "{\"object\":\"list\",\"url\":\"/v1/billing/meters/" + meterId + "/event_summaries\","
				+ "\"has_more\":" + hasMore + ",\"data\":[" + data + "]}");
	}

	/** A {@code search_result} of customers. */
	static ResponseDefinitionBuilder customers(String metadataKey, String referenceId, List<String> customerIds) {
		String data = customerIds.stream()
			.map((id) -> "{\"id\":\"" + id + "\",\"object\":\"customer\",\"livemode\":false,\"metadata\":{\""
					+ metadataKey + "\":\"" + referenceId + "\"}}")
			.collect(Collectors.joining(","));
		return json(200, "{\"object\":\"search_result\",\"url\":\"/v1/customers/search\",\"has_more\":false,"
				+ "\"next_page\":null,\"data\":[" + data + "]}");
	}

	/**
	 * A {@code list} with one active subscription whose one item has the price and
	 * period.
	 */
	static ResponseDefinitionBuilder activeSubscription(String customerId, String priceId, long periodStart,
			long periodEnd) {
		String item = "{\"id\":\"si_1\",\"object\":\"subscription_item\",\"current_period_start\":" + periodStart
				+ ",\"current_period_end\":" + periodEnd + ",\"price\":{\"id\":\"" + priceId
				+ "\",\"object\":\"price\",\"active\":true}}";
		return json(200, "{\"object\":\"list\",\"url\":\"/v1/subscriptions\",\"has_more\":false,\"data\":[{\"id\":"
				+ "\"sub_1\",\"object\":\"subscription\",\"customer\":\"" + customerId + "\",\"status\":\"active\","
				+ "\"items\":{\"object\":\"list\",\"url\":\"/v1/subscription_items?subscription=sub_1\","
				+ "\"has_more\":false,\"data\":[" + item + "]}}]}");
	}

	static ResponseDefinitionBuilder noSubscriptions() {
		return json(200, "{\"object\":\"list\",\"url\":\"/v1/subscriptions\",\"has_more\":false,\"data\":[]}");
	}

	static MappingBuilder price(String id) {
		return get(urlPathEqualTo("/v1/prices/" + id));
	}

	/**
	 * A recurring metered {@code price} of the meter.
	 * @param billingScheme {@code per_unit} or {@code tiered}
	 * @param unitAmountDecimal its amount per unit, or {@code null} for a tiered price
	 */
	static ResponseDefinitionBuilder meteredPrice(String id, String meterId, String currency, String billingScheme,
			String unitAmountDecimal) {
		return json(200,
				"{\"id\":\"" + id + "\",\"object\":\"price\",\"active\":true,\"billing_scheme\":\"" + billingScheme
						+ "\",\"created\":1764547200,\"currency\":\"" + currency + "\","
						+ "\"custom_unit_amount\":null,\"livemode\":false,\"lookup_key\":null,\"metadata\":{},"
						+ "\"nickname\":null,\"product\":\"prod_tokens\",\"recurring\":{\"interval\":\"month\","
						+ "\"interval_count\":1,\"meter\":\"" + meterId + "\",\"trial_period_days\":null,"
						+ "\"usage_type\":\"metered\"},\"tax_behavior\":\"unspecified\",\"tiers_mode\":"
						+ ((unitAmountDecimal != null) ? "null" : "\"graduated\"") + ",\"transform_quantity\":null,"
						+ "\"type\":\"recurring\",\"unit_amount\":null,\"unit_amount_decimal\":"
						+ ((unitAmountDecimal != null) ? "\"" + unitAmountDecimal + "\"" : "null") + "}");
	}

	static MappingBuilder creditGrants() {
		return get(urlPathEqualTo("/v1/billing/credit_grants"));
	}

	static MappingBuilder creditGrant(String id) {
		return get(urlPathEqualTo("/v1/billing/credit_grants/" + id));
	}

	static MappingBuilder creditBalanceSummary() {
		return get(urlPathEqualTo("/v1/billing/credit_balance_summary"));
	}

	/**
	 * A {@code billing.credit_grant} of a monetary amount that applies to every metered
	 * price.
	 * @param effectiveAt when it applies from, in epoch seconds
	 * @param expiresAt when it expires, or {@code null}
	 * @param voidedAt when it was voided, or {@code null}
	 */
	static String grant(String id, String customerId, String currency, long value, long effectiveAt, Long expiresAt,
			Long voidedAt) {
		return grant(id, customerId, currency, value, "{\"price_type\":\"metered\"}", effectiveAt, expiresAt, voidedAt);
	}

	/**
	 * A {@code billing.credit_grant} of a monetary amount.
	 * @param scope its {@code applicability_config.scope}
	 */
	static String grant(String id, String customerId, String currency, long value, String scope, long effectiveAt,
			Long expiresAt, Long voidedAt) {
		return "{\"id\":\"" + id + "\",\"object\":\"billing.credit_grant\",\"amount\":{\"monetary\":{"
				+ "\"currency\":\"" + currency + "\",\"value\":" + value + "},\"type\":\"monetary\"},"
				+ "\"applicability_config\":{\"scope\":" + scope + "},\"category\":\"paid\",\"created\":" + effectiveAt
				+ ",\"customer\":\"" + customerId + "\",\"effective_at\":" + effectiveAt + ",\"expires_at\":"
				+ expiresAt + ",\"livemode\":false,\"metadata\":{},\"name\":"
				+ "\"Purchased Credits\",\"priority\":50,\"test_clock\":null,\"updated\":" + effectiveAt
				+ ",\"voided_at\":" + voidedAt + "}";
	}

	/** A {@code list} of credit grants. */
	static ResponseDefinitionBuilder grants(String... grants) {
		return json(200, "{\"object\":\"list\",\"url\":\"/v1/billing/credit_grants\",\"has_more\":false," + "\"data\":["
				+ String.join(",", grants) + "]}");
	}

	/**
	 * A {@code billing.credit_balance_summary} with one balance per {@code currency,
	 * value} pair of available amounts.
	 */
	static ResponseDefinitionBuilder creditBalance(String customerId, String... available) {
		StringBuilder balances = new StringBuilder();
		for (int i = 0; i < available.length; i += 2) {
			String money = "{\"monetary\":{\"currency\":\"" + available[i] + "\",\"value\":" + available[i + 1]
					+ "},\"type\":\"monetary\"}";
			balances.append((i > 0) ? "," : "")
				.append("{\"available_balance\":")
				.append(money)
				.append(",\"ledger_balance\":")
				.append(money)
				.append("}");
		}
		return json(200, "{\"object\":\"billing.credit_balance_summary\",\"balances\":[" + balances
				+ "],\"customer\":\"" + customerId + "\",\"livemode\":false}");
	}

	/**
	 * Posts a webhook delivery of the payload to the path of the application's MockMvc,
	 * signed now with the secret as Stripe signs it.
	 * @return the status of the answer
	 */
	static int deliver(ApplicationContext context, String path, String payload, String secret) throws Exception {
		return context.getBean(MockMvc.class)
			.perform(MockMvcRequestBuilders.post(path)
				.contentType(MediaType.APPLICATION_JSON)
				.header("Stripe-Signature",
						Webhook.Signature.generateSignatureHeader(payload, secret, Instant.now().getEpochSecond()))
				.content(payload))
			.andReturn()
			.getResponse()
			.getStatus();
	}

	static ResponseDefinitionBuilder json(int status, String body) {
		return aResponse().withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withHeader("Request-Id", "req_test")
			.withBody(body);
	}

}
