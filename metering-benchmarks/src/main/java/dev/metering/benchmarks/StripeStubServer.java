package dev.metering.benchmarks;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
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
 * Stripe's meter event APIs (v1 meter events, the v2 session and stream) on a WireMock
 * server that answers in Stripe's wire format after a chosen delay, and tallies what it
 * received: requests, events, and the sum of the values per customer, parsed from each
 * request as Stripe would read it. Its request journal is off, so that it keeps up with a
 * load.
 */
final class StripeStubServer implements AutoCloseable {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final WireMockServer server;

	private final LongAdder requests = new LongAdder();

	private final LongAdder events = new LongAdder();

	private final Map<String, AtomicLong> sums = new ConcurrentHashMap<>();

	private StripeStubServer(Duration delay) {
		this.server = new WireMockServer(
				options().dynamicPort().disableRequestJournal().containerThreads(64).extensions(new Tally()));
		this.server.start();
		int millis = (int) delay.toMillis();
		this.server.stubFor(post(urlEqualTo("/v1/billing/meter_events")).willReturn(
				json(millis, "{\"object\":\"billing.meter_event\",\"created\":1763900000,\"event_name\":\"ai_tokens\","
						+ "\"identifier\":\"bench\",\"livemode\":false,\"payload\":{},\"timestamp\":1763900000}")));
		this.server.stubFor(post(urlEqualTo("/v2/billing/meter_event_session")).willReturn(json(millis,
				"{\"id\":\"mes_bench\",\"object\":\"v2.billing.meter_event_session\",\"authentication_token\":"
						+ "\"mes_token\",\"created\":\"" + Instant.now() + "\",\"expires_at\":\""
						+ Instant.now().plus(Duration.ofHours(1)) + "\",\"livemode\":false}")));
		this.server.stubFor(post(urlEqualTo("/v2/billing/meter_event_stream")).willReturn(json(millis, "{}")));
		this.server.stubFor(get(urlPathEqualTo("/v1/subscriptions"))
			.willReturn(json(0, "{\"object\":\"list\",\"url\":\"/v1/subscriptions\",\"has_more\":false,\"data\":[]}")));
	}

	/**
	 * @param delay how long each meter event request waits before its answer
	 */
	static StripeStubServer start(Duration delay) {
		return new StripeStubServer(delay);
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

	void reset() {
		this.requests.reset();
		this.events.reset();
		this.sums.clear();
	}

	@Override
	public void close() {
		this.server.stop();
	}

	private void add(String customerId, String value) {
		this.events.increment();
		this.sums.computeIfAbsent(customerId, (id) -> new AtomicLong()).addAndGet(Long.parseLong(value));
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
			if (url.equals("/v1/billing/meter_events")) {
				StripeStubServer.this.requests.increment();
				Map<String, String> form = form(body);
				add(Objects.requireNonNull(form.get("payload[stripe_customer_id]")),
						Objects.requireNonNull(form.get("payload[value]")));
			}
			else if (url.equals("/v2/billing/meter_event_stream")) {
				StripeStubServer.this.requests.increment();
				for (JsonNode event : json.readTree(body).get("events")) {
					JsonNode payload = event.get("payload");
					add(payload.get("stripe_customer_id").asString(), payload.get("value").asString());
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
