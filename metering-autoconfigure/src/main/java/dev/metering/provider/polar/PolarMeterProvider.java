package dev.metering.provider.polar;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.web.client.RestClientException;
import org.springframework.web.util.UriBuilder;

import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
import dev.metering.UsageDimensions;
import dev.metering.provider.CachedLookup;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.HttpStatusFailures;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderBalance;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.ProviderLookupException;
import dev.metering.provider.Subscription;
import dev.metering.provider.UsageBuckets;
import dev.metering.provider.UsageEvent;

/**
 * Polar meters over Polar's REST API: usage events in through event ingestion, with the
 * value in the metadata key the Polar meter sums; meter quantities out; customers found
 * by external ID; plans and periods from the customer state's active subscriptions;
 * prepaid balances from the customer meters' credits.
 */
final class PolarMeterProvider implements MeterProvider {

	private static final String DEFAULT_VALUE_KEY = "value";

	private static final int NOT_FOUND = 404;

	/** The most customer meters Polar answers on one page. */
	private static final int PAGE_SIZE = 100;

	private final PolarClient client;

	private final PolarEventIngestion ingestion;

	private final CachedLookup<String, String> customers;

	private final CachedLookup<String, Subscription> subscriptions;

	private final CachedLookup<UsageQuery, List<MeterUsageSummary>> usage;

	private final CachedLookup<String, CustomerMeterCredits> balances;

	/**
	 * @param client the client of Polar's API
	 * @param meters the configured meters, for the metadata key of each event name's
	 * value
	 * @param caches the caches of customers, subscriptions, usage and balances
	 * @param clock what "now" is, for clamping timestamps
	 */
	PolarMeterProvider(PolarClient client, List<MeterDefinition> meters, ProviderCaches caches, Clock clock) {
		this.client = client;
		Map<String, String> valueKeys = new LinkedHashMap<>();
		meters.forEach((meter) -> valueKeys.putIfAbsent(meter.eventName(), meter.polarValueKey()));
		Function<String, String> valueKey = (eventName) -> valueKeys.getOrDefault(eventName, DEFAULT_VALUE_KEY);
		this.ingestion = new PolarEventIngestion(client, valueKey, clock);
		this.customers = caches.customers(this::fetchCustomerId);
		this.subscriptions = caches.subscriptions(this::fetchSubscription);
		this.usage = caches.usage(this::fetchUsage);
		this.balances = caches.balances(this::fetchCredits);
	}

	@Override
	public String name() {
		return "polar";
	}

	/**
	 * Polar takes any external customer ID, and checks its own IDs when the event
	 * arrives.
	 */
	@Override
	public Optional<String> rejectCustomerId(String customerId) {
		return Optional.empty();
	}

	@Override
	public int batchSize() {
		return PolarEventIngestion.MAX_BATCH;
	}

	@Override
	public List<DeliveryOutcome> deliverAll(List<UsageEvent> events) {
		return this.ingestion.send(events);
	}

	@Override
	public DeliveryOutcome deliver(UsageEvent event) {
		return this.ingestion.send(List.of(event)).get(0);
	}

	/**
	 * The meter's quantity for the customer: over the range widened to whole hours, days
	 * or months as Polar sums them (the summary's times say which), or, with no start and
	 * no end, the customer meter's consumed units, with null times; cached.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, @Nullable Instant start,
			@Nullable Instant end) {
		String meterId = requireMeterId(meter);
		if (start == null && end == null) {
			return this.usage.find(new UsageQuery(meterId, customerId, null, null, null)).orElseGet(List::of);
		}
		return usage(meterId, customerId, start, end, (UsageDimensions) null);
	}

	/**
	 * The meter's quantity over the events whose metadata holds the filter's dimensions,
	 * over the range widened as above (all time when it has no bounds); cached.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			UsageDimensions filter) {
		return usage(requireMeterId(meter), customerId, start, end, filter);
	}

	private List<MeterUsageSummary> usage(String meterId, String customerId, @Nullable Instant start,
			@Nullable Instant end, @Nullable UsageDimensions filter) {
		Instant from = (start != null) ? start : QuantityRange.POLAR_EPOCH;
		Instant to = (end != null) ? end : Instant.now();
		return this.usage.find(new UsageQuery(meterId, customerId, QuantityRange.covering(from, to), null, filter))
			.orElseGet(List::of);
	}

	/**
	 * The meter's quantities per hour or day, as Polar's interval buckets them; cached.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			Duration bucket) {
		String meterId = requireMeterId(meter);
		return this.usage
			.find(new UsageQuery(meterId, customerId, QuantityRange.ofBuckets(start, end, bucket), bucket, null))
			.orElseGet(List::of);
	}

	private static String requireMeterId(MeterDefinition meter) {
		String meterId = meter.meterId();
		if (meterId == null || !PolarCustomerIds.isPolarId(meterId)) {
			throw new IllegalArgumentException("Polar needs the meter ID (a UUID) of meter '" + meter.key()
					+ "': set metering.meters." + meter.key() + ".meter-id");
		}
		return meterId;
	}

	/**
	 * Polar's customer meters count since the last cycle of a metered subscription, else
	 * all-time.
	 */
	@Override
	public boolean allTimeUsageWithoutSubscription() {
		return true;
	}

	@Override
	public Optional<String> findCustomerId(BillingSubject subject) {
		return this.customers.find(subject.referenceId());
	}

	@Override
	public Optional<Subscription> activeSubscription(String customerId) {
		return this.subscriptions.find(customerId);
	}

	/**
	 * The customer's credits on the meter, as its customer meter holds them: the units
	 * credited, and the balance left of them, never below nothing; cached as long as
	 * usage, and evicted by Polar's webhooks. Polar credits a subscription's units at the
	 * start of each of its periods, so the credits of a customer with an active
	 * subscription end with its current period; without one, they do not end.
	 */
	@Override
	public Optional<ProviderBalance> balance(String customerId, MeterDefinition meter) {
		String meterId = requireMeterId(meter);
		return this.balances.find(customerId)
			.map((credits) -> credits.of(meterId,
					this.subscriptions.find(customerId).map(Subscription::periodEnd).orElse(null)));
	}

	private List<MeterUsageSummary> fetchUsage(UsageQuery query) {
		return (query.range() != null) ? quantities(query) : consumedUnits(query);
	}

	/** {@code GET /v1/meters/{id}/quantities}: the total over the range. */
	private List<MeterUsageSummary> quantities(UsageQuery query) {
		QuantityRange range = Objects.requireNonNull(query.range(), "quantities are read over a range");
		String customerId = query.customerId();
		JsonNode quantities = read("read usage of meter " + query.meterId() + " for " + customerId,
				(uri) -> withMetadataFilter(uri.path("/v1/meters/{id}/quantities")
					.queryParam("start_timestamp", range.from())
					.queryParam("end_timestamp", range.lastBucket())
					.queryParam("interval", range.interval())
					.queryParam(PolarCustomerIds.field(customerId), customerId), query.filter())
					.build(query.meterId()));
		if (query.bucket() != null) {
			Map<Instant, Long> values = new LinkedHashMap<>();
			for (JsonNode quantity : quantities.path("quantities")) {
				values.merge(OffsetDateTime.parse(quantity.path("timestamp").asString()).toInstant(),
						rounded(quantity.path("quantity").decimalValue(BigDecimal.ZERO)), Long::sum);
			}
			return UsageBuckets.summaries(query.meterId(), customerId, range.from(), range.to(), query.bucket(),
					values);
		}
		long total = rounded(quantities.path("total").decimalValue(BigDecimal.ZERO));
		return List.of(new MeterUsageSummary(query.meterId(), customerId, total, range.from(), range.to()));
	}

	/**
	 * Narrows quantities to the events whose metadata holds the filter's dimensions
	 * (deepObject style).
	 */
	private static UriBuilder withMetadataFilter(UriBuilder uri, @Nullable UsageDimensions filter) {
		if (filter != null && filter.model() != null) {
			uri.queryParam("metadata[" + UsageDimensions.MODEL_KEY + "]", filter.model());
		}
		if (filter != null && filter.tokenType() != null) {
			uri.queryParam("metadata[" + UsageDimensions.TOKEN_TYPE_KEY + "]", filter.tokenType());
		}
		return uri;
	}

	/**
	 * {@code GET /v1/customer-meters}: the units the customer consumed since Polar last
	 * reset the meter (at each cycle of a metered subscription), which is all-time usage
	 * without one.
	 */
	private List<MeterUsageSummary> consumedUnits(UsageQuery query) {
		String customerId = query.customerId();
		JsonNode page = read("read usage of meter " + query.meterId() + " for " + customerId,
				(uri) -> uri.path("/v1/customer-meters")
					.queryParam("meter_id", query.meterId())
					.queryParam(PolarCustomerIds.field(customerId), customerId)
					.build());
		BigDecimal consumed = BigDecimal.ZERO;
		for (JsonNode customerMeter : page.path("items").values()) {
			consumed = consumed.add(customerMeter.path("consumed_units").decimalValue(BigDecimal.ZERO));
		}
		return List.of(new MeterUsageSummary(query.meterId(), customerId, rounded(consumed), null, null));
	}

	/**
	 * {@code GET /v1/customer-meters}: the customer's meters with their credited units
	 * and balances, every page of them.
	 */
	private CustomerMeterCredits fetchCredits(String customerId) {
		List<CustomerMeterCredits.Meter> meters = new ArrayList<>();
		int maxPage = 1;
		for (int page = 1; page <= maxPage; page++) {
			int number = page;
			JsonNode answer = read("read the meter credits of " + customerId,
					(uri) -> uri.path("/v1/customer-meters")
						.queryParam(PolarCustomerIds.field(customerId), customerId)
						.queryParam("page", number)
						.queryParam("limit", PAGE_SIZE)
						.build());
			meters.addAll(CustomerMeterCredits.of(answer));
			maxPage = answer.path("pagination").path("max_page").asInt(1);
		}
		return new CustomerMeterCredits(customerId, meters);
	}

	/**
	 * {@code GET /v1/customers/external/{external_id}}: Polar's ID of the customer, else
	 * {@code null}.
	 */
	private @Nullable String fetchCustomerId(String referenceId) {
		JsonNode customer = readUnlessNotFound("find the customer of '" + referenceId + "'",
				(uri) -> uri.path("/v1/customers/external/{externalId}").build(referenceId));
		return (customer != null) ? customer.path("id").asString(null) : null;
	}

	/**
	 * The customer state's active subscriptions ({@code active} or {@code trialing}):
	 * their products, and the current period of the first; {@code null} when there are
	 * none.
	 */
	private @Nullable Subscription fetchSubscription(String customerId) {
		JsonNode state = readUnlessNotFound("read the subscription of " + customerId,
				(uri) -> (PolarCustomerIds.isPolarId(customerId) ? uri.path("/v1/customers/{id}/state")
						: uri.path("/v1/customers/external/{id}/state"))
					.build(customerId));
		if (state == null) {
			return null;
		}
		List<String> productIds = new ArrayList<>();
		JsonNode first = null;
		for (JsonNode subscription : state.path("active_subscriptions").values()) {
			productIds.add(subscription.path("product_id").asString(""));
			first = (first != null) ? first : subscription;
		}
		if (first == null) {
			return null;
		}
		return new Subscription(customerId, productIds, Instant.parse(first.path("current_period_start").asString()),
				Instant.parse(first.path("current_period_end").asString()));
	}

	private JsonNode read(String what, Function<UriBuilder, URI> uri) {
		JsonNode body = readUnlessNotFound(what, uri);
		if (body == null) {
			throw new PolarProviderException("Could not " + what + " at Polar: 404 Not found", null,
					ProviderLookupException.Kind.REQUEST_REFUSED);
		}
		return body;
	}

	/** Polar's answer, {@code null} for a 404. */
	private @Nullable JsonNode readUnlessNotFound(String what, Function<UriBuilder, URI> uri) {
		PolarResponse response;
		try {
			response = this.client.get(uri);
		}
		catch (RestClientException ex) {
			throw new PolarProviderException("Could not " + what + " at Polar: " + ex.getClass().getSimpleName() + ": "
					+ PolarErrors.redacted(ex.getMessage()), ex, ProviderLookupException.Kind.PASSING);
		}
		if (response.status() == NOT_FOUND) {
			return null;
		}
		if (!response.successful()) {
			throw new PolarProviderException("Could not " + what + " at Polar: " + response.describe(), null,
					HttpStatusFailures.lookupFailure(response.status()));
		}
		return response.body();
	}

	private static long rounded(BigDecimal value) {
		return value.setScale(0, RoundingMode.HALF_UP).longValue();
	}

	/**
	 * A usage query: the key of the usage cache.
	 *
	 * @param range the buckets read, or {@code null} for the customer meter's consumed
	 * units
	 * @param bucket the bucket of one summary each, or {@code null} for one total over
	 * the range
	 * @param filter the dimensions of the events counted, or {@code null} for all
	 */
	private record UsageQuery(String meterId, String customerId, @Nullable QuantityRange range,
			@Nullable Duration bucket, @Nullable UsageDimensions filter) {
	}

}
