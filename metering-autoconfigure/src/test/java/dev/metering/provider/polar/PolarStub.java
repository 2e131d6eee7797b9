package dev.metering.provider.polar;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * Polar's wire format, as its server answers, for WireMock.
 */
public final class PolarStub {

	public static final String INGEST = "/v1/events/ingest";

	private PolarStub() {
	}

	public static MappingBuilder ingest() {
		return post(urlEqualTo(INGEST));
	}

	public static MappingBuilder quantities(String meterId) {
		return get(urlPathEqualTo("/v1/meters/" + meterId + "/quantities"));
	}

	public static MappingBuilder customerMeters() {
		return get(urlPathEqualTo("/v1/customer-meters"));
	}

	public static MappingBuilder customerByExternalId(String externalId) {
		return get(urlPathEqualTo("/v1/customers/external/" + externalId));
	}

	public static MappingBuilder stateByExternalId(String externalId) {
		return get(urlPathEqualTo("/v1/customers/external/" + externalId + "/state"));
	}

	public static MappingBuilder state(String customerId) {
		return get(urlPathEqualTo("/v1/customers/" + customerId + "/state"));
	}

	/** {@code EventsIngestResponse}. */
	public static ResponseDefinitionBuilder ingested(int inserted, int duplicates) {
		return json(200, "{\"inserted\":" + inserted + ",\"duplicates\":" + duplicates + "}");
	}

	/**
	 * A 422 as Polar's ingestion answers an event it refuses, with the event's position
	 * in the batch.
	 */
	public static ResponseDefinitionBuilder invalidEvent(int index, String field, String type, String message) {
		return json(422,
				"{\"error\":\"PolarRequestValidationError\",\"detail\":[{\"type\":\"" + type
						+ "\",\"loc\":[\"body\",\"events\"," + index + ",\"" + field + "\"],\"msg\":\"" + message
						+ "\",\"input\":null}]}");
	}

	/**
	 * Polar's errors other than validation: {@code {"error": name, "detail": message}}.
	 */
	public static ResponseDefinitionBuilder error(int status, String error, String detail) {
		return json(status, "{\"error\":\"" + error + "\",\"detail\":\"" + detail + "\"}");
	}

	public static ResponseDefinitionBuilder rateLimited(int retryAfterSeconds) {
		return json(429, "{\"detail\":\"Too many requests\"}").withHeader("Retry-After",
				Integer.toString(retryAfterSeconds));
	}

	/** {@code MeterQuantities}, one quantity per bucket. */
	public static ResponseDefinitionBuilder quantitiesOf(double total, String... bucketStarts) {
		String quantities = java.util.Arrays.stream(bucketStarts)
			.map((start) -> "{\"timestamp\":\"" + start + "\",\"quantity\":" + (total / bucketStarts.length) + "}")
			.collect(Collectors.joining(","));
		return json(200, "{\"quantities\":[" + quantities + "],\"total\":" + total + "}");
	}

	/** A {@code ListResource} of customer meters without credits. */
	public static ResponseDefinitionBuilder customerMetersOf(String customerId, String meterId,
			double... consumedUnits) {
		return customerMetersPage(1,
				java.util.Arrays.stream(consumedUnits)
					.mapToObj((consumed) -> customerMeter(customerId, meterId, 0, consumed))
					.toArray(String[]::new));
	}

	/** One page of a {@code ListResource} of customer meters. */
	public static ResponseDefinitionBuilder customerMetersPage(int maxPage, String... customerMeters) {
		return json(200, "{\"items\":[" + String.join(",", customerMeters) + "],\"pagination\":{\"total_count\":"
				+ customerMeters.length + ",\"max_page\":" + maxPage + "}}");
	}

	/**
	 * A {@code CustomerMeter}: the units credited to the customer on the meter, those it
	 * consumed, and its balance, their difference.
	 */
	public static String customerMeter(String customerId, String meterId, long creditedUnits, double consumedUnits) {
		return "{\"id\":\"6f0cfa3c-96b4-4e86-8a5c-7b0a4d4c7a10\",\"created_at\":\"2026-01-05T10:00:00Z\","
				+ "\"modified_at\":\"2026-01-06T10:00:00Z\",\"customer_id\":\"" + customerId + "\",\"meter_id\":\""
				+ meterId + "\",\"consumed_units\":" + consumedUnits + ",\"credited_units\":" + creditedUnits
				+ ",\"balance\":" + (creditedUnits - consumedUnits) + "}";
	}

	/** A {@code Customer}. */
	public static ResponseDefinitionBuilder customer(String id, String externalId) {
		return json(200, "{\"id\":\"" + id + "\",\"external_id\":\"" + externalId + "\",\"email\":\"a@example.com\","
				+ "\"organization_id\":\"2b5c3cbe-1d6f-4a0e-9a57-9f2f2a6c1a11\",\"metadata\":{}}");
	}

	public static ResponseDefinitionBuilder notFound() {
		return error(404, "ResourceNotFound", "Not found");
	}

	/** A {@code CustomerState} with one active subscription to the product. */
	public static ResponseDefinitionBuilder stateWithSubscription(String customerId, String productId,
			String periodStart, String periodEnd) {
		String subscription = "{\"id\":\"e3f1a1c0-0c4b-4b7e-9c43-1d2f3a4b5c6d\",\"status\":\"active\",\"amount\":1000,"
				+ "\"currency\":\"usd\",\"recurring_interval\":\"month\",\"current_period_start\":\"" + periodStart
				+ "\",\"current_period_end\":\"" + periodEnd + "\",\"cancel_at_period_end\":false,"
				+ "\"product_id\":\"" + productId + "\",\"meters\":[],\"metadata\":{}}";
		return state(customerId, subscription);
	}

	public static ResponseDefinitionBuilder stateWithoutSubscription(String customerId) {
		return state(customerId, "");
	}

	private static ResponseDefinitionBuilder state(String customerId, String subscriptions) {
		return json(200, "{\"id\":\"" + customerId + "\",\"external_id\":null,\"metadata\":{},"
				+ "\"active_subscriptions\":[" + subscriptions + "],\"granted_benefits\":[],\"active_meters\":[]}");
	}

	public static ResponseDefinitionBuilder json(int status, String body) {
		return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
	}

	/** The events of an ingestion request, as Polar reads them. */
	public static List<JsonNode> events(LoggedRequest request) {
		List<JsonNode> events = new ArrayList<>();
		JsonMapper.shared().readTree(request.getBodyAsString()).path("events").values().forEach(events::add);
		return events;
	}

}
