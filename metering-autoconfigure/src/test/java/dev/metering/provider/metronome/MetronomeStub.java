package dev.metering.provider.metronome;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * Metronome's wire format, as its API reference documents it, for WireMock.
 */
public final class MetronomeStub {

	public static final String INGEST = "/v1/ingest";

	public static final String USAGE = "/v1/usage";

	public static final String CONTRACTS = "/v2/contracts/list";

	public static final String BALANCES = "/v1/contracts/customerBalances/list";

	private MetronomeStub() {
	}

	public static MappingBuilder ingest() {
		return post(urlEqualTo(INGEST));
	}

	public static MappingBuilder usage() {
		return post(urlPathEqualTo(USAGE));
	}

	public static MappingBuilder contracts() {
		return post(urlEqualTo(CONTRACTS));
	}

	public static MappingBuilder balances() {
		return post(urlEqualTo(BALANCES));
	}

	public static MappingBuilder customerByAlias(String alias) {
		return get(urlPathEqualTo("/v1/customers")).withQueryParam("ingest_alias", equalTo(alias));
	}

	public static MappingBuilder customer(String customerId) {
		return get(urlPathEqualTo("/v1/customers/" + customerId));
	}

	/** The ingest endpoint's answer: 200 and no body. */
	public static ResponseDefinitionBuilder ingested() {
		return aResponse().withStatus(200);
	}

	/** Metronome's errors: {@code {"message": ...}}. */
	public static ResponseDefinitionBuilder error(int status, String message) {
		return json(status, "{\"message\":\"" + message + "\"}");
	}

	public static ResponseDefinitionBuilder rateLimited(int retryAfterSeconds) {
		return error(429, "Too many requests").withHeader("Retry-After", Integer.toString(retryAfterSeconds));
	}

	/** A {@code CustomerDetail}. */
	static String customerDetail(String id, String... aliases) {
		String ingestAliases = Arrays.stream(aliases)
			.map((alias) -> "\"" + alias + "\"")
			.collect(Collectors.joining(","));
		return "{\"id\":\"" + id + "\",\"external_id\":\"" + ((aliases.length > 0) ? aliases[0] : id) + "\","
				+ "\"ingest_aliases\":[" + ingestAliases + "],\"name\":\"Acme\",\"custom_fields\":{},"
				+ "\"customer_config\":{\"salesforce_account_id\":null},\"created_at\":\"2026-01-02T03:04:05Z\","
				+ "\"updated_at\":\"2026-01-02T03:04:05Z\",\"current_billable_status\":{\"value\":\"billable\"}}";
	}

	/** {@code GET /v1/customers?ingest_alias=}: a page with the customer. */
	public static ResponseDefinitionBuilder customersWith(String id, String... aliases) {
		return json(200, "{\"data\":[" + customerDetail(id, aliases) + "],\"next_page\":null}");
	}

	public static ResponseDefinitionBuilder noCustomers() {
		return json(200, "{\"data\":[],\"next_page\":null}");
	}

	/** {@code GET /v1/customers/{id}}. */
	public static ResponseDefinitionBuilder customerOf(String id, String... aliases) {
		return json(200, "{\"data\":" + customerDetail(id, aliases) + "}");
	}

	/** {@code POST /v2/contracts/list}: the contracts. */
	public static ResponseDefinitionBuilder contractsOf(String... contracts) {
		return json(200, "{\"data\":[" + String.join(",", contracts) + "]}");
	}

	/**
	 * A {@code ContractV2} on the rate card, whose usage statements follow the cadence
	 * from the anchor.
	 */
	public static String contract(String customerId, String rateCardId, String startingAt, String anchor,
			String frequency, String... subscribedProducts) {
		String subscriptions = Arrays.stream(subscribedProducts)
			.map((product) -> "{\"id\":\"9a1f0c3e-5b7d-4e2a-8c6f-1d3b5a7c9e0f\",\"starting_at\":\"" + startingAt
					+ "\",\"quantity_management_mode\":\"QUANTITY_ONLY\",\"quantity_schedule\":[],"
					+ "\"billing_periods\":{},\"collection_schedule\":\"ADVANCE\",\"proration\":{},"
					+ "\"subscription_rate\":{\"billing_frequency\":\"MONTHLY\",\"product\":{\"id\":\"" + product
					+ "\",\"name\":\"Pro seats\"}}}")
			.collect(Collectors.joining(","));
		return "{\"id\":\"3b1cf6f5-e4ea-449f-acc3-afceffaddea7\",\"customer_id\":\"" + customerId + "\","
				+ "\"starting_at\":\"" + startingAt + "\",\"rate_card_id\":\"" + rateCardId + "\","
				+ "\"name\":\"Pro\",\"usage_statement_schedule\":{\"billing_anchor_date\":\"" + anchor
				+ "\",\"frequency\":\"" + frequency + "\"},\"commits\":[],\"overrides\":[],"
				+ "\"scheduled_charges\":[],\"transitions\":[],\"usage_filter\":[],\"subscriptions\":[" + subscriptions
				+ "],\"created_at\":\"" + startingAt + "\",\"created_by\":\"admin@example.com\"}";
	}

	/**
	 * {@code POST /v1/usage}: one aggregate per window start, of the values given in
	 * turn.
	 */
	public static ResponseDefinitionBuilder usageOf(String customerId, String metricId, String windowLength,
			Object... startsAndValues) {
		List<String> aggregates = new ArrayList<>();
		for (int i = 0; i < startsAndValues.length; i += 2) {
			Instant start = Instant.parse((String) startsAndValues[i]);
			aggregates.add("{\"customer_id\":\"" + customerId + "\",\"billable_metric_id\":\"" + metricId
					+ "\",\"billable_metric_name\":\"AI tokens\",\"start_timestamp\":\"" + start
					+ "\",\"end_timestamp\":\"" + start.plus(Duration.parse(windowLength)) + "\",\"value\":"
					+ startsAndValues[i + 1] + "}");
		}
		return json(200, "{\"data\":[" + String.join(",", aggregates) + "],\"next_page\":null}");
	}

	/**
	 * A commit or credit as the balances list answers it with {@code include_balance}:
	 * one access segment, in the credit type.
	 */
	public static String balance(String type, String creditTypeId, String creditTypeName, double amount, double balance,
			String startingAt, String endingBefore) {
		String kind = "CREDIT".equals(type) ? "credit" : "commit";
		String id = UUID.nameUUIDFromBytes((type + creditTypeId + amount).getBytes(StandardCharsets.UTF_8)).toString();
		return "{\"id\":\"" + id + "\"," + "\"type\":\"" + type + "\",\"name\":\"Prepaid " + kind + "\",\"priority\":1,"
				+ "\"product\":{\"id\":\"f14d6729-6a44-4b13-9908-9387f1918790\",\"name\":\"AI credits\"},"
				+ "\"contract\":{\"id\":\"3b1cf6f5-e4ea-449f-acc3-afceffaddea7\"},\"access_schedule\":{"
				+ "\"credit_type\":{\"id\":\"" + creditTypeId + "\",\"name\":\"" + creditTypeName + "\"},"
				+ "\"schedule_items\":[{\"id\":\"d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a\",\"amount\":" + amount
				+ ",\"starting_at\":\"" + startingAt + "\",\"ending_before\":\"" + endingBefore + "\"}]},"
				+ "\"balance\":" + balance + "}";
	}

	public static ResponseDefinitionBuilder balancesOf(String... balances) {
		return json(200, "{\"data\":[" + String.join(",", balances) + "],\"next_page\":null}");
	}

	public static ResponseDefinitionBuilder json(int status, String body) {
		return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
	}

	/** The events of an ingest request, as Metronome reads them. */
	public static List<JsonNode> events(LoggedRequest request) {
		List<JsonNode> events = new ArrayList<>();
		JsonMapper.shared().readTree(request.getBodyAsString()).values().forEach(events::add);
		return events;
	}

	/** The JSON body of a request. */
	public static JsonNode body(LoggedRequest request) {
		return JsonMapper.shared().readTree(request.getBodyAsString());
	}

}
