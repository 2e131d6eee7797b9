package dev.metering.benchmarks;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * Stripe's meter event APIs (v1 meter events, the v2 session and stream), its
 * subscription list and its customer search on a WireMock server that answers in Stripe's
 * wire format after a chosen delay, and tallies what it received: requests by kind,
 * events, and the sum of the values per customer with the times it grew, parsed from each
 * request as Stripe would read it. The customer search finds {@code cus_<n>} for the
 * organization {@code org_<n>} in the customer's metadata, and answers beyond its rate
 * limit with Stripe's 429. Its request journal is off, so that it keeps up with a load.
 */
final class StripeStubServer implements AutoCloseable {

	static final String METER_EVENTS = "meter events";

	static final String METER_EVENT_BATCHES = "meter event batches";

	static final String SEARCHES = "customer searches";

	static final String SEARCHES_REFUSED = "customer searches refused";

	static final String SUBSCRIPTION_LISTS = "subscription lists";

	private static final JsonMapper json = JsonMapper.builder().build();

	private final WireMockServer server;

	private final LongAdder requests = new LongAdder();

	private final LongAdder events = new LongAdder();

	private final Map<String, AtomicLong> sums = new ConcurrentHashMap<>();

	private final Map<String, Arrivals> arrivals = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> requestsByKind = new ConcurrentHashMap<>();

	private final SearchRateLimit searchRateLimit;

	private StripeStubServer(Duration delay, Duration lookupDelay, int searchesPerSecond) {
		this.searchRateLimit = new SearchRateLimit(searchesPerSecond);
		this.server = new WireMockServer(options().dynamicPort()
			.disableRequestJournal()
			.containerThreads(64)
			.extensions(new Tally(), new CustomerSearch()));
		this.server.start();
		int millis = (int) delay.toMillis();
		int lookupMillis = (int) lookupDelay.toMillis();
		this.server.stubFor(post(urlEqualTo("/v1/billing/meter_events")).willReturn(
				json(millis, "{\"object\":\"billing.meter_event\",\"created\":1763900000,\"event_name\":\"ai_tokens\","
						+ "\"identifier\":\"bench\",\"livemode\":false,\"payload\":{},\"timestamp\":1763900000}")));
		this.server.stubFor(post(urlEqualTo("/v2/billing/meter_event_session")).willReturn(json(millis,
				"{\"id\":\"mes_bench\",\"object\":\"v2.billing.meter_event_session\",\"authentication_token\":"
						+ "\"mes_token\",\"created\":\"" + Instant.now() + "\",\"expires_at\":\""
						+ Instant.now().plus(Duration.ofHours(1)) + "\",\"livemode\":false}")));
		this.server.stubFor(post(urlEqualTo("/v2/billing/meter_event_stream")).willReturn(json(millis, "{}")));
		this.server.stubFor(get(urlPathEqualTo("/v1/subscriptions")).willReturn(json(lookupMillis,
				"{\"object\":\"list\",\"url\":\"/v1/subscriptions\",\"has_more\":false,\"data\":[]}")));
		this.server.stubFor(get(urlPathEqualTo("/v1/customers/search"))
			.willReturn(json(lookupMillis, "{}").withTransformers(CustomerSearch.NAME)));
	}

	/**
	 * @param delay how long each meter event request waits before its answer
	 */
	static StripeStubServer start(Duration delay) {
		return new StripeStubServer(delay, Duration.ZERO, Integer.MAX_VALUE);
	}

	/**
	 * A stub that answers every request after {@code latency}, as Stripe's servers do
	 * across a network, and refuses customer searches beyond {@code searchesPerSecond} in
	 * any second, counted across every client.
	 */
	static StripeStubServer startWithLatency(Duration latency, int searchesPerSecond) {
		return new StripeStubServer(latency, latency, searchesPerSecond);
	}

	private static ResponseDefinitionBuilder json(int delayMillis, String body) {
		return aResponse().withStatus(200)
			.withHeader("Content-Type", "application/json")
			.withHeader("Request-Id", "req_bench")
			.withFixedDelay(delayMillis)
			.withBody(body);
	}

	String baseUrl() {
		return this.server.baseUrl();
	}

	/** Meter event requests received (sessions and other reads not counted). */
	long requests() {
		return this.requests.sum();
	}

	long events() {
		return this.events.sum();
	}

	/** The sum of the values received for one customer. */
	long sum(String customerId) {
		AtomicLong sum = this.sums.get(customerId);
		return (sum != null) ? sum.get() : 0;
	}

	/** Every customer that was sent a value, and the sum it was sent. */
	Map<String, Long> sums() {
		Map<String, Long> all = new TreeMap<>();
		this.sums.forEach((customer, sum) -> all.put(customer, sum.get()));
		return all;
	}

	/**
	 * When the sum of one customer grew, and to what, in the order the requests arrived.
	 */
	Arrivals.Snapshot arrivals(String customerId) {
		Arrivals of = this.arrivals.get(customerId);
		return (of != null) ? of.snapshot() : Arrivals.Snapshot.NONE;
	}

	/** Requests received so far by kind ({@link #METER_EVENTS}, {@link #SEARCHES}, …). */
	Map<String, Long> requestsByKind() {
		Map<String, Long> all = new TreeMap<>();
		this.requestsByKind.forEach((kind, count) -> all.put(kind, count.sum()));
		return all;
	}

	void reset() {
		this.requests.reset();
		this.events.reset();
		this.sums.clear();
		this.arrivals.clear();
		this.requestsByKind.clear();
	}

	@Override
	public void close() {
		this.server.stop();
	}

	private void add(String customerId, String value, long receivedMillis) {
		this.events.increment();
		long sum = this.sums.computeIfAbsent(customerId, (id) -> new AtomicLong()).addAndGet(Long.parseLong(value));
		this.arrivals.computeIfAbsent(customerId, (id) -> new Arrivals()).add(receivedMillis, sum);
	}

	private void count(String kind) {
		this.requestsByKind.computeIfAbsent(kind, (k) -> new LongAdder()).increment();
	}

	private static String kind(String path) {
		return switch (path) {
			case "/v1/billing/meter_events" -> METER_EVENTS;
			case "/v2/billing/meter_event_stream" -> METER_EVENT_BATCHES;
			case "/v2/billing/meter_event_session" -> "meter event sessions";
			case "/v1/customers/search" -> SEARCHES;
			case "/v1/subscriptions" -> SUBSCRIPTION_LISTS;
			default -> "other " + path;
		};
	}

	/**
	 * The times one customer's sum grew at, and the sums it grew to, in the order the
	 * requests arrived.
	 */
	static final class Arrivals {

		private long[] millis = new long[4];

		private long[] sums = new long[4];

		private int size;

		synchronized void add(long receivedMillis, long sum) {
			if (this.size == this.millis.length) {
				this.millis = Arrays.copyOf(this.millis, this.size * 2);
				this.sums = Arrays.copyOf(this.sums, this.size * 2);
			}
			this.millis[this.size] = receivedMillis;
			this.sums[this.size] = sum;
			this.size++;
		}

		synchronized Snapshot snapshot() {
			return new Snapshot(Arrays.copyOf(this.millis, this.size), Arrays.copyOf(this.sums, this.size));
		}

		/**
		 * @param millis when each request arrived, epoch milliseconds
		 * @param sums the customer's sum after each request
		 */
		record Snapshot(long[] millis, long[] sums) {

			static final Snapshot NONE = new Snapshot(new long[0], new long[0]);

		}

	}

	/**
	 * Stripe's rate limit of its search API: at most so many searches in any one second,
	 * whoever sends them.
	 */
	private static final class SearchRateLimit {

		private final int perSecond;

		private long second;

		private int count;

		SearchRateLimit(int perSecond) {
			this.perSecond = perSecond;
		}

		synchronized boolean admit(long nowMillis) {
			long now = nowMillis / 1000;
			if (now != this.second) {
				this.second = now;
				this.count = 0;
			}
			return ++this.count <= this.perSecond;
		}

	}

	/**
	 * Answers
	 * {@code GET /v1/customers/search?query=metadata['organization_id']:'org_<n>'} with
	 * the customer {@code cus_<n>}, or with Stripe's 429 beyond the rate limit.
	 */
	private final class CustomerSearch implements ResponseDefinitionTransformerV2 {

		static final String NAME = "stripe-customer-search";

		@Override
		public String getName() {
			return NAME;
		}

		@Override
		public boolean applyGlobally() {
			return false;
		}

		@Override
		public ResponseDefinition transform(ServeEvent serveEvent) {
			ResponseDefinition stubbed = serveEvent.getResponseDefinition();
			if (!StripeStubServer.this.searchRateLimit.admit(System.currentTimeMillis())) {
				count(SEARCHES_REFUSED);
				return ResponseDefinitionBuilder.like(stubbed)
					.withStatus(429)
					.withBody("{\"error\":{\"code\":\"rate_limit\",\"doc_url\":"
							+ "\"https://stripe.com/docs/error-codes/rate-limit\",\"message\":\"Request rate limit "
							+ "exceeded. You can learn more about rate limits here "
							+ "https://stripe.com/docs/rate-limits.\",\"type\":\"invalid_request_error\"}}")
					.build();
			}
			String query = serveEvent.getRequest().queryParameter("query").firstValue();
			String organization = query.substring(query.indexOf(":'") + 2, query.length() - 1);
			String data = "";
			if (organization.startsWith("org_")) {
				String customer = "cus_" + organization.substring("org_".length());
				data = "{\"id\":\"" + customer + "\",\"object\":\"customer\",\"created\":1763900000,"
						+ "\"livemode\":false,\"metadata\":{\"organization_id\":\"" + organization + "\"}}";
			}
			return ResponseDefinitionBuilder.like(stubbed)
				.withBody("{\"object\":\"search_result\",\"url\":\"/v1/customers/search\",\"has_more\":false,"
						+ "\"next_page\":null,\"data\":[" + data + "]}")
				.build();
		}

	}

	/** Reads the events of each meter event request as it is answered. */
	private final class Tally implements ServeEventListener {

		@Override
		public String getName() {
			return "stripe-tally";
		}

		@Override
		public void beforeResponseSent(ServeEvent serveEvent, Parameters parameters) {
			String url = serveEvent.getRequest().getUrl();
			String body = serveEvent.getRequest().getBodyAsString();
			long received = serveEvent.getRequest().getLoggedDate().getTime();
			int query = url.indexOf('?');
			count(kind((query >= 0) ? url.substring(0, query) : url));
			if (url.equals("/v1/billing/meter_events")) {
				StripeStubServer.this.requests.increment();
				Map<String, String> form = form(body);
				add(Objects.requireNonNull(form.get("payload[stripe_customer_id]")),
						Objects.requireNonNull(form.get("payload[value]")), received);
			}
			else if (url.equals("/v2/billing/meter_event_stream")) {
				StripeStubServer.this.requests.increment();
				for (JsonNode event : json.readTree(body).get("events")) {
					JsonNode payload = event.get("payload");
					add(payload.get("stripe_customer_id").asString(), payload.get("value").asString(), received);
				}
			}
		}

		private static Map<String, String> form(String body) {
			Map<String, String> fields = new java.util.HashMap<>();
			for (String pair : body.split("&")) {
				int equals = pair.indexOf('=');
				fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
						URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
			}
			return fields;
		}

	}

}
