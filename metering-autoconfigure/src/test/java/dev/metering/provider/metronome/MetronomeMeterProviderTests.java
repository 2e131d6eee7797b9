package dev.metering.provider.metronome;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.MeteringAdvisor;
import dev.metering.RecordUsageResult;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Recording through the Metronome provider against a WireMock server speaking Metronome's
 * wire format: the events' shape, batches split down to the event Metronome refuses, held
 * back for a refused token, retried after timeouts, resets, rate limits and server
 * errors.
 */
@ExtendWith(OutputCaptureExtension.class)
class MetronomeMeterProviderTests {

	static final String TOKEN = "mtr-api-SecretTokenThatMustNeverBeLogged";

	static final String METRIC_ID = "0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01";

	/** The customer of the event that shows the dispatcher's pass at start is over. */
	private static final String FIRST_PASS = "org_first_pass";

	@RegisterExtension
	static final StubServer metronome = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=" + TOKEN,
				"metering.metronome.base-url=" + metronome.baseUrl(), "metering.metronome.read-timeout=5s",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=" + METRIC_ID,
				"metering.meters.ai-tokens.metronome.value-key=tokens", "metering.meters.ai-tokens.limit-key=aiTokens",
				"metering.plans.free.limits.aiTokens=1000", "metering.accounts.org_acme.customer-id=org_acme",
				"metering.delivery.flush-interval=20ms", "metering.delivery.initial-backoff=20ms",
				"metering.delivery.max-backoff=50ms", "metering.delivery.max-attempts=5",
				"metering.delivery.coalesce=false");

	@Test
	void aMeteredChatClientCallArrivesAsOneUsageEventForTheIngestAliasWithItsValue() {
		metronome.stubFor(MetronomeStub.ingest().willReturn(MetronomeStub.ingested()));
		metronome.stubFor(MetronomeStub.customerByAlias("org_acme").willReturn(MetronomeStub.noCustomers()));
		Instant before = Instant.now();
		this.contextRunner.run((context) -> {
			ChatClient.Builder builder = ChatClient.builder(new FixedUsageChatModel(12, 5));
			context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
			builder.build()
				.prompt("hi")
				.advisors((advisors) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, "org_acme"))
				.call()
				.content();
			assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(5))).isTrue();
		});
		LoggedRequest request = metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.INGEST))).get(0);
		assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
		assertThat(request.getHeader("Content-Type")).startsWith("application/json");
		assertThat(request.getHeader("Content-Length")).isEqualTo(Integer.toString(request.getBody().length));
		assertThat(MetronomeStub.events(request)).singleElement().satisfies((event) -> {
			assertThat(event.path("event_type").asString()).isEqualTo("ai_tokens");
			assertThat(event.path("customer_id").asString()).isEqualTo("org_acme");
			assertThat(event.path("transaction_id").asString()).startsWith("usage_");
			assertThat(event.path("properties").path("tokens").isString()).as("an exact decimal string").isTrue();
			assertThat(event.path("properties").path("tokens").asString()).isEqualTo("17");
			assertThat(Instant.parse(event.path("timestamp").asString()))
				.isBetween(before.truncatedTo(ChronoUnit.MILLIS), Instant.now());
		});
	}

	@Test
	void theModelAndTokenTypeDimensionsArePropertiesOfEachEvent() {
		metronome.stubFor(MetronomeStub.ingest().willReturn(MetronomeStub.ingested()));
		metronome.stubFor(MetronomeStub.customerByAlias("org_acme").willReturn(MetronomeStub.noCustomers()));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.dimensions=model,token-type")
			.run((context) -> {
				new FixedUsageChatModel(12, 5).askMetered(context, "org_acme", "gpt-4o-mini");
				assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(5))).isTrue();
			});
		assertThat(sentEvents())
			.map((event) -> event.path("properties").path("model").asString() + " "
					+ event.path("properties").path("token_type").asString() + " "
					+ event.path("properties").path("tokens").asString())
			.containsExactlyInAnyOrder("gpt-4o-mini input 12", "gpt-4o-mini output 5");
	}

	@Test
	void aBatchIsSentWholeInOneRequest() {
		metronome.stubFor(MetronomeStub.ingest().willReturn(MetronomeStub.ingested()));
		this.contextRunner.withPropertyValues("metering.delivery.flush-interval=1h").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			awaitThePassAtStart(billing);
			for (int i = 0; i < 150; i++) {
				billing.recordUsage("ai_tokens", "org_" + i, i + 1);
			}
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
		});
		// how the 150 fall into passes is up to the machine; how many a request carries
		// is not
		List<Integer> sizes = requestsBesideTheFirstPass().stream()
			.map((request) -> MetronomeStub.events(request).size())
			.toList();
		assertThat(sizes).as("at most 100 events a request, as Metronome documents").allMatch((size) -> size <= 100);
		assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(150);
		assertThat(sizes).as("several events a request").anyMatch((size) -> size > 1);
	}

	@Test
	void aTimedOutBatchIsSentAgainWithTheSameTransactionIds() {
		// the first answer comes too late: Metronome has the events, the client never
		// learns it
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("late")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(MetronomeStub.ingested().withFixedDelay(1500))
			.willSetStateTo("stored"));
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("late")
			.whenScenarioStateIs("stored")
			.willReturn(MetronomeStub.ingested()));
		// a read timeout that the late answer misses by far, even on a busy machine
		assertSentTwiceWithTheSameTransactionIds("metering.metronome.read-timeout=300ms");
	}

	@Test
	void aConnectionResetAfterTheRequestWasTakenSendsTheBatchAgainWithTheSameTransactionIds() {
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("reset")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(MetronomeStub.ingested().withFault(Fault.CONNECTION_RESET_BY_PEER))
			.willSetStateTo("up"));
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("reset")
			.whenScenarioStateIs("up")
			.willReturn(MetronomeStub.ingested()));
		assertSentTwiceWithTheSameTransactionIds();
	}

	@Test
	void aServerErrorIsRetriedWithTheSameTransactionIds() {
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("5xx")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(MetronomeStub.error(503, "Service unavailable"))
			.willSetStateTo("up"));
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("5xx")
			.whenScenarioStateIs("up")
			.willReturn(MetronomeStub.ingested()));
		assertSentTwiceWithTheSameTransactionIds();
	}

	private void assertSentTwiceWithTheSameTransactionIds(String... properties) {
		ApplicationContextRunner runner = this.contextRunner.withPropertyValues("metering.delivery.flush-interval=1h")
			.withPropertyValues(properties);
		runner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			awaitThePassAtStart(billing);
			String first = billing.recordUsage("ai_tokens", "org_a", 5).identifier();
			String second = billing.recordUsage("ai_tokens", "org_b", 6).identifier();
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
			assertThat(context.getBean(UndeliveredUsage.class).deadLetters()).isEmpty();
			assertThat(requestsBesideTheFirstPass()).hasSize(2)
				.allSatisfy((request) -> assertThat(MetronomeStub.events(request))
					.extracting((event) -> event.path("transaction_id").asString())
					.containsExactlyInAnyOrder(first, second));
		});
	}

	@Test
	void aBatchWithOneBadEventIsSplitDownToItDeliveringTheOthersAndDeadLetteringItWithMetronomesMessage() {
		metronome.stubFor(MetronomeStub.ingest()
			.withRequestBody(containing("org_bad"))
			.atPriority(1)
			.willReturn(MetronomeStub.error(400, "properties.tokens must be a number")));
		metronome.stubFor(MetronomeStub.ingest().atPriority(2).willReturn(MetronomeStub.ingested()));
		this.contextRunner.withPropertyValues("metering.delivery.flush-interval=1h").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			awaitThePassAtStart(billing);
			List<String> good = new ArrayList<>();
			String bad = null;
			for (int i = 0; i < 8; i++) {
				String customer = (i == 5) ? "org_bad" : "org_" + i;
				String identifier = billing.recordUsage("ai_tokens", customer, i + 1).identifier();
				if (i == 5) {
					bad = identifier;
				}
				else {
					good.add(identifier);
				}
			}
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			String refused = bad;
			assertThat(context.getBean(UndeliveredUsage.class).deadLetters()).singleElement().satisfies((dead) -> {
				assertThat(dead.event().identifier()).isEqualTo(refused);
				assertThat(dead.code()).isEqualTo("http_400");
				assertThat(dead.message()).isEqualTo("properties.tokens must be a number");
			});
			List<String> accepted = requestsBesideTheFirstPass().stream()
				.filter((request) -> !request.getBodyAsString().contains("org_bad"))
				.flatMap((request) -> MetronomeStub.events(request).stream())
				.map((event) -> event.path("transaction_id").asString())
				.toList();
			assertThat(accepted).containsExactlyInAnyOrderElementsOf(good);
			// 8 events: the batch, halves, quarters and eighths down to the bad one
			assertThat(requestsBesideTheFirstPass()).hasSize(7);
		});
	}

	@Test
	void unauthorizedHoldsTheBacklogUntilTheTokenIsFixedAndNeverLogsIt(CapturedOutput output) {
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("token")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(MetronomeStub.error(401, "Invalid API token " + TOKEN)));
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("token")
			.whenScenarioStateIs("fixed")
			.willReturn(MetronomeStub.ingested()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			UndeliveredUsage outbox = context.getBean(UndeliveredUsage.class);
			billing.recordUsage("ai_tokens", "org_a", 1);
			billing.recordUsage("ai_tokens", "org_a", 2);
			// more refusals than metering.delivery.max-attempts: a wrong token uses up
			// nothing
			await().atMost(Duration.ofSeconds(10))
				.until(() -> metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.INGEST))).size() >= 8);
			assertThat(outbox.deadLetters()).isEmpty();

			metronome.setScenarioState("token", "fixed");
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(outbox.deadLetters()).isEmpty();
		});
		assertThat(output).contains("Metronome refused the request (401: Invalid API token ******)")
			// one or both, depending on whether the first pass ran before the second was
			// recorded
			.containsPattern("holding back [12] usage event\\(s\\) until metering.metronome.api-token")
			.doesNotContain(TOKEN);
	}

	@Test
	void aRateLimitIsWaitedOutForAsLongAsRetryAfterSays() {
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("busy")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(MetronomeStub.rateLimited(1))
			.willSetStateTo("free"));
		metronome.stubFor(MetronomeStub.ingest()
			.inScenario("busy")
			.whenScenarioStateIs("free")
			.willReturn(MetronomeStub.ingested()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.recordUsage("ai_tokens", "org_a", 4);
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		});
		List<LoggedRequest> requests = metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.INGEST)));
		assertThat(requests).hasSize(2);
		// far above the 50ms longest backoff: Retry-After decided
		assertThat(Duration.between(requests.get(0).getLoggedDate().toInstant(),
				requests.get(1).getLoggedDate().toInstant()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(950));
	}

	@Test
	void deliveredUsageCannotBeCancelledAndStaysCounted() {
		metronome.stubFor(MetronomeStub.ingest().willReturn(MetronomeStub.ingested()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			String identifier = billing.recordUsage("ai_tokens", "org_acme", 5).identifier();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> billing.cancelUsage(identifier))
				.withMessage("The metronome meter cannot cancel usage it has been sent");
			assertThatExceptionOfType(UnsupportedOperationException.class).as("still delivered, not cancelled")
				.isThrownBy(() -> billing.cancelUsage(identifier));
		});
	}

	@Test
	void whatMetronomeWouldRefuseIsRefusedAtOnce() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			RecordUsageResult ahead = billing.recordUsage("ai_tokens", "org_a", 1,
					Instant.now().plus(Duration.ofHours(1)));
			assertThat(ahead.recorded()).isFalse();
			assertThat(ahead.error()).contains("in the future");
			RecordUsageResult old = billing.recordUsage("ai_tokens", "org_a", 1,
					Instant.now().minus(Duration.ofDays(35)));
			assertThat(old.recorded()).isFalse();
			assertThat(old.error()).contains("more than 34 days in the past, which Metronome refuses");
		});
	}

	private static List<JsonNode> sentEvents() {
		return metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.INGEST)))
			.stream()
			.flatMap((request) -> MetronomeStub.events(request).stream())
			.toList();
	}

	private static List<LoggedRequest> requestsBesideTheFirstPass() {
		return metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.INGEST)))
			.stream()
			.filter((request) -> !request.getBodyAsString().contains(FIRST_PASS))
			.toList();
	}

	/**
	 * Delivers an event of its own and waits for it, so that the dispatcher's pass at
	 * start is over: with a flush interval of an hour, the next pass is the test's flush,
	 * which takes every event recorded until then in one batch.
	 */
	private static void awaitThePassAtStart(BillingClient billing) {
		metronome.stubFor(MetronomeStub.ingest()
			.withRequestBody(containing(FIRST_PASS))
			.atPriority(1)
			.willReturn(MetronomeStub.ingested()));
		billing.recordUsage("ai_tokens", FIRST_PASS, 1);
		assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
	}

}
