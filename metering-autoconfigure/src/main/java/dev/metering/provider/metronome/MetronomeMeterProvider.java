package dev.metering.provider.metronome;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.web.client.RestClientException;

import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
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
 * Metronome over its REST API: usage events in through the ingest endpoint, with the
 * value in the properties key the billable metric sums; usage out of the usage query;
 * customers found by ingest alias; plans and periods from the customer's current
 * contract; prepaid balances from its commits and credits.
 */
final class MetronomeMeterProvider implements MeterProvider {

	/** Metronome refuses events backdated further. */
	static final Duration MAX_AGE = Duration.ofDays(34);

	private static final String DEFAULT_VALUE_KEY = "value";

	private static final int NOT_FOUND = 404;

	private final MetronomeClient client;

	private final MetronomeIngestion ingestion;

	private final Map<String, MetronomeMeter> meters;

	private final Clock clock;

	private final CachedLookup<String, String> customers;

	private final CachedLookup<String, Subscription> subscriptions;

	private final CachedLookup<UsageQuery, List<MeterUsageSummary>> usage;

	private final CachedLookup<String, CustomerBalances> balances;

	/**
	 * @param client the client of Metronome's API
	 * @param definitions the configured meters
	 * @param meters what Metronome needs of each meter, by meter key
	 * @param caches the caches of customers, contracts, usage and balances
	 * @param clock what "now" is: the contract and the commit segments that hold it
	 */
	MetronomeMeterProvider(MetronomeClient client, List<MeterDefinition> definitions,
			Map<String, MetronomeMeter> meters, ProviderCaches caches, Clock clock) {
		this.client = client;
		this.meters = Map.copyOf(meters);
		Map<String, String> valueKeys = new HashMap<>();
		for (MeterDefinition definition : definitions) {
			MetronomeMeter meter = meters.get(definition.key());
			valueKeys.putIfAbsent(definition.eventName(), (meter != null) ? meter.valueKey() : DEFAULT_VALUE_KEY);
		}
		this.ingestion = new MetronomeIngestion(client,
				(eventName) -> valueKeys.getOrDefault(eventName, DEFAULT_VALUE_KEY), clock);
		this.clock = clock;
		this.customers = caches.customers(this::fetchCustomerId);
		this.subscriptions = caches.subscriptions(this::fetchSubscription);
		this.usage = caches.usage(this::fetchUsage);
		this.balances = caches.balances(this::fetchBalances);
	}

	@Override
	public String name() {
		return "metronome";
	}

	/**
	 * Metronome takes any customer ID or ingest alias; one it does not know waits for its
	 * customer.
	 */
	@Override
	public Optional<String> rejectCustomerId(String customerId) {
		return Optional.empty();
	}

	/** Also refuses what happened more than {@link #MAX_AGE} ago, as Metronome would. */
	@Override
	public Optional<String> rejectTimestamp(Instant timestamp, Instant now) {
		if (timestamp.isBefore(now.minus(MAX_AGE))) {
			return Optional.of("timestamp " + timestamp + " is more than " + MAX_AGE.toDays()
					+ " days in the past, which Metronome refuses");
		}
		return MeterProvider.super.rejectTimestamp(timestamp, now);
	}

	@Override
	public int batchSize() {
		return MetronomeIngestion.MAX_BATCH;
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
	 * The billable metric's usage for the customer over the range widened to whole UTC
	 * hours, which Metronome aggregates (the summary's times say which); cached.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, @Nullable Instant start,
			@Nullable Instant end) {
		String metricId = requireBillableMetricId(meter);
		if (start == null || end == null) {
			throw new IllegalArgumentException("Metronome's usage query needs both a start and an end time");
		}
		Instant from = start.truncatedTo(ChronoUnit.HOURS);
		Instant to = end.truncatedTo(ChronoUnit.HOURS).equals(end) ? end
				: end.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
		return this.usage.find(new UsageQuery(metricId, customerId, from, to, null)).orElseGet(List::of);
	}

	/**
	 * The billable metric's usage per hour or UTC day, Metronome's usage windows; cached.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			Duration bucket) {
		String metricId = requireBillableMetricId(meter);
		return this.usage.find(new UsageQuery(metricId, customerId, start, end, bucket)).orElseGet(List::of);
	}

	private static String requireBillableMetricId(MeterDefinition meter) {
		String metricId = meter.meterId();
		if (metricId == null || !MetronomeCustomerIds.isMetronomeId(metricId)) {
			throw new IllegalArgumentException("Metronome needs the billable metric ID (a UUID) of meter '"
					+ meter.key() + "': set metering.meters." + meter.key() + ".meter-id");
		}
		return metricId;
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
	 * The customer's prepaid commits and credits in the meter's credit type
	 * ({@code metering.meters.<key>.metronome.credit-type-id}), or in the only one they
	 * are in; cached as long as usage, and evicted by Metronome's webhooks.
	 * @throws IllegalStateException when the meter names no credit type and the
	 * customer's balances are in several
	 */
	@Override
	public Optional<ProviderBalance> balance(String customerId, MeterDefinition meter) {
		MetronomeMeter settings = this.meters.get(meter.key());
		String creditTypeId = (settings != null) ? settings.creditTypeId() : null;
		return this.balances.find(customerId)
			.map((balances) -> balances.of(creditTypeId,
					"metering.meters." + meter.key() + ".metronome.credit-type-id"));
	}

	/**
	 * {@code GET /v1/customers?ingest_alias=}: the ID of the customer with that alias,
	 * else {@code null}.
	 */
	private @Nullable String fetchCustomerId(String alias) {
		JsonNode page = readUnlessNotFound("find the customer of '" + alias + "'",
				() -> this.client.get((uri) -> uri.path("/v1/customers").queryParam("ingest_alias", alias).build()));
		if (page == null) {
			return null;
		}
		for (JsonNode customer : page.path("data").values()) {
			String id = customer.path("id").asString(null);
			if (id != null) {
				return id;
			}
		}
		return null;
	}

	/**
	 * Metronome's ID of a customer the account names by ID or ingest alias, or
	 * {@code null} when no customer has that alias.
	 */
	private @Nullable String metronomeId(String customerId) {
		return MetronomeCustomerIds.isMetronomeId(customerId) ? customerId
				: this.customers.find(customerId).orElse(null);
	}

	/**
	 * {@code POST /v2/contracts/list} covering now: the latest contract that is not
	 * archived, with its rate card and the products of its subscriptions as what puts it
	 * on a plan, and the usage statement period that holds now; {@code null} when the
	 * customer has none.
	 */
	private @Nullable Subscription fetchSubscription(String customerId) {
		String id = metronomeId(customerId);
		if (id == null) {
			return null;
		}
		Instant now = this.clock.instant();
		ObjectNode query = this.client.object();
		query.put("customer_id", id);
		query.put("covering_date", now.truncatedTo(ChronoUnit.SECONDS).toString());
		JsonNode contracts = readUnlessNotFound("read the contract of " + customerId,
				() -> this.client.post((uri) -> uri.path("/v2/contracts/list").build(), query));
		if (contracts == null) {
			return null;
		}
		JsonNode contract = null;
		for (JsonNode candidate : contracts.path("data").values()) {
			boolean archived = candidate.path("archived_at").isString();
			if (!archived && (contract == null || startingAt(candidate).isAfter(startingAt(contract)))) {
				contract = candidate;
			}
		}
		if (contract == null) {
			return null;
		}
		List<String> ids = new ArrayList<>();
		String rateCardId = contract.path("rate_card_id").asString(null);
		if (rateCardId != null) {
			ids.add(rateCardId);
		}
		for (JsonNode subscription : contract.path("subscriptions").values()) {
			String productId = subscription.path("subscription_rate").path("product").path("id").asString(null);
			if (productId != null) {
				ids.add(productId);
			}
		}
		JsonNode schedule = contract.path("usage_statement_schedule");
		Instant anchor = schedule.path("billing_anchor_date").isString()
				? OffsetDateTime.parse(schedule.path("billing_anchor_date").asString()).toInstant()
				: startingAt(contract);
		StatementPeriod period = StatementPeriod.holding(anchor, schedule.path("frequency").asString(null), now);
		return new Subscription(customerId, ids, period.start(), period.end());
	}

	private static Instant startingAt(JsonNode contract) {
		return OffsetDateTime.parse(contract.path("starting_at").asString()).toInstant();
	}

	/**
	 * {@code POST /v1/usage}: the billable metric's usage for the customer, one aggregate
	 * over the range or one per hour or day; every page of it.
	 */
	private List<MeterUsageSummary> fetchUsage(UsageQuery query) {
		String customerId = query.customerId();
		String what = "read usage of billable metric " + query.metricId() + " for " + customerId;
		String id = metronomeId(customerId);
		if (id == null) {
			throw new MetronomeProviderException(
					"Could not " + what + " at Metronome: no customer has the ingest " + "alias '" + customerId + "'",
					null, ProviderLookupException.Kind.REQUEST_REFUSED);
		}
		ObjectNode body = this.client.object();
		body.put("starting_on", query.from().toString());
		body.put("ending_before", query.to().toString());
		body.put("window_size", window(query.bucket()));
		body.putArray("customer_ids").add(id);
		body.putArray("billable_metrics").addObject().put("id", query.metricId());
		Map<Instant, BigDecimal> values = new LinkedHashMap<>();
		String cursor = null;
		do {
			String page = cursor;
			JsonNode answer = read(what,
					() -> this.client.post((uri) -> ((page != null)
							? uri.path("/v1/usage").queryParam("next_page", page) : uri.path("/v1/usage"))
						.build(), body));
			for (JsonNode aggregate : answer.path("data").values()) {
				Instant at = OffsetDateTime.parse(aggregate.path("start_timestamp").asString()).toInstant();
				values.merge(at, aggregate.path("value").decimalValue(BigDecimal.ZERO), BigDecimal::add);
			}
			cursor = answer.path("next_page").asString(null);
		}
		while (cursor != null && !cursor.isEmpty());
		if (query.bucket() == null) {
			BigDecimal total = values.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
			return List
				.of(new MeterUsageSummary(query.metricId(), customerId, rounded(total), query.from(), query.to()));
		}
		Map<Instant, Long> rounded = new HashMap<>();
		values.forEach((at, value) -> rounded.put(at, rounded(value)));
		return UsageBuckets.summaries(query.metricId(), customerId, query.from(), query.to(), query.bucket(), rounded);
	}

	private static String window(@Nullable Duration bucket) {
		if (bucket == null) {
			return "NONE";
		}
		return UsageBuckets.DAY.equals(bucket) ? "DAY" : "HOUR";
	}

	/**
	 * {@code POST /v1/contracts/customerBalances/list} covering now, with each commit's
	 * and credit's balance, those of its contracts included; every page of it. A customer
	 * without an ID at Metronome has none.
	 */
	private CustomerBalances fetchBalances(String customerId) {
		String id = metronomeId(customerId);
		if (id == null) {
			return new CustomerBalances(customerId, List.of());
		}
		Instant now = this.clock.instant();
		List<CustomerBalances.Balance> balances = new ArrayList<>();
		String cursor = null;
		do {
			ObjectNode query = this.client.object();
			query.put("customer_id", id);
			query.put("covering_date", now.truncatedTo(ChronoUnit.SECONDS).toString());
			query.put("include_balance", true);
			query.put("include_contract_balances", true);
			if (cursor != null) {
				query.put("next_page", cursor);
			}
			JsonNode page = read("read the balances of " + customerId,
					() -> this.client.post((uri) -> uri.path("/v1/contracts/customerBalances/list").build(), query));
			balances.addAll(CustomerBalances.of(page, now));
			cursor = page.path("next_page").asString(null);
		}
		while (cursor != null && !cursor.isEmpty());
		balances.sort(Comparator.comparing(CustomerBalances.Balance::creditTypeId));
		return new CustomerBalances(customerId, balances);
	}

	private JsonNode read(String what, Supplier<MetronomeResponse> request) {
		JsonNode body = readUnlessNotFound(what, request);
		if (body == null) {
			throw new MetronomeProviderException("Could not " + what + " at Metronome: 404: Not found", null,
					ProviderLookupException.Kind.REQUEST_REFUSED);
		}
		return body;
	}

	/** Metronome's answer, {@code null} for a 404. */
	private @Nullable JsonNode readUnlessNotFound(String what, Supplier<MetronomeResponse> request) {
		MetronomeResponse response;
		try {
			response = request.get();
		}
		catch (RestClientException ex) {
			throw new MetronomeProviderException("Could not " + what + " at Metronome: " + this.client.describe(ex), ex,
					ProviderLookupException.Kind.PASSING);
		}
		if (response.status() == NOT_FOUND) {
			return null;
		}
		if (!response.successful()) {
			throw new MetronomeProviderException("Could not " + what + " at Metronome: " + response.describe(), null,
					HttpStatusFailures.lookupFailure(response.status()));
		}
		return response.body();
	}

	private static long rounded(BigDecimal value) {
		return value.setScale(0, RoundingMode.HALF_UP).longValue();
	}

	@Override
	public String toString() {
		return "MetronomeMeterProvider[" + this.client + "]";
	}

	/**
	 * A usage query: the key of the usage cache.
	 *
	 * @param from start of the range, on an hour
	 * @param to end of the range, on an hour
	 * @param bucket the bucket of one summary each, or {@code null} for one total over
	 * the range
	 */
	private record UsageQuery(String metricId, String customerId, Instant from, Instant to, @Nullable Duration bucket) {
	}

}
