package dev.metering.provider.polar;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

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
import dev.metering.BillingSubject;
import dev.metering.FixedUsageChatModel;
import dev.metering.MeterUsageSummary;
import dev.metering.MeteringAdvisor;
import dev.metering.RecordUsageResult;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The Polar provider against a WireMock server speaking Polar's wire format.
 */
@ExtendWith(OutputCaptureExtension.class)
class PolarMeterProviderTests {

	static final String TOKEN = "polar_oat_SecretTokenThatMustNeverBeLogged";

	static final String METER_ID = "0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01";

	static final String PRO_PRODUCT = "8d2f7c1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";

	static final String POLAR_CUSTOMER = "5c9e1f2a-7b3d-4e6f-8a9b-0c1d2e3f4a5b";

	/** The customer of the event that shows the dispatcher's pass at start is over. */
	private static final String FIRST_PASS = "org_first_pass";

	@RegisterExtension
	static final StubServer polar = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=polar", "metering.polar.access-token=" + TOKEN,
				"metering.polar.base-url=" + polar.baseUrl(), "metering.polar.read-timeout=5s",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=" + METER_ID,
				"metering.meters.ai-tokens.polar.value-key=tokens", "metering.meters.ai-tokens.limit-key=aiTokens",
				"metering.plans.free.limits.aiTokens=1000", "metering.plans.pro.polar-product-ids=" + PRO_PRODUCT,
				"metering.plans.pro.price-ids=price_not_polar", "metering.plans.pro.limits.aiTokens=100000",
				"metering.accounts.org_acme.customer-id=org_acme", "metering.delivery.flush-interval=20ms",
				"metering.delivery.initial-backoff=20ms", "metering.delivery.max-backoff=50ms",
				"metering.delivery.max-attempts=5", "metering.delivery.coalesce=false");

	@Test
	void aMeteredChatClientCallArrivesAsOneEventForTheExternalCustomerWithItsValue() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		polar.stubFor(PolarStub.stateByExternalId("org_acme").willReturn(PolarStub.notFound()));
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
		LoggedRequest request = polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST))).get(0);
		assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
		assertThat(request.getHeader("Polar-Version")).isEqualTo(PolarClient.API_VERSION);
		assertThat(request.getHeader("Content-Length")).isEqualTo(Integer.toString(request.getBody().length));
		assertThat(PolarStub.events(request)).singleElement().satisfies((event) -> {
			assertThat(event.path("name").asString()).isEqualTo("ai_tokens");
			assertThat(event.path("external_customer_id").asString()).isEqualTo("org_acme");
			assertThat(event.has("customer_id")).isFalse();
			assertThat(event.has("organization_id")).isFalse();
			assertThat(event.path("external_id").asString()).startsWith("usage_");
			assertThat(event.path("metadata").path("tokens").asLong()).isEqualTo(17);
			assertThat(Instant.parse(event.path("timestamp").asString())).isBefore(Instant.now());
		});
	}

	@Test
	void theModelAndTokenTypeDimensionsAreMetadataOfEachEvent() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(2, 0)));
		polar.stubFor(PolarStub.stateByExternalId("org_acme").willReturn(PolarStub.notFound()));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.dimensions=model,token-type")
			.run((context) -> {
				new FixedUsageChatModel(12, 5).askMetered(context, "org_acme", "gpt-4o-mini");
				assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(5))).isTrue();
			});
		List<String> events = polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)))
			.stream()
			.flatMap((request) -> PolarStub.events(request).stream())
			.map((event) -> event.path("metadata").path("model").asString() + " "
					+ event.path("metadata").path("token_type").asString() + " "
					+ event.path("metadata").path("tokens").asLong())
			.toList();
		assertThat(events).containsExactlyInAnyOrder("gpt-4o-mini input 12", "gpt-4o-mini output 5");
	}

	@Test
	void polarCustomerIdsAreSentAsCustomerId() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.recordUsage("ai_tokens", POLAR_CUSTOMER, 3);
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		});
		assertThat(sentEvents()).singleElement().satisfies((event) -> {
			assertThat(event.path("customer_id").asString()).isEqualTo(POLAR_CUSTOMER);
			assertThat(event.has("external_customer_id")).isFalse();
		});
	}

	@Test
	void aRetriedBatchCarriesTheSameExternalIdsAndPolarCountsThemOnce() {
		// the first answer comes too late: Polar has the events, the client never learns
		// it
		polar.stubFor(PolarStub.ingest()
			.inScenario("late")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(PolarStub.ingested(2, 0).withFixedDelay(1500))
			.willSetStateTo("stored"));
		polar.stubFor(PolarStub.ingest()
			.inScenario("late")
			.whenScenarioStateIs("stored")
			.willReturn(PolarStub.ingested(0, 2)));
		// a read timeout that the late answer misses by far, even on a busy machine
		ApplicationContextRunner impatient = this.contextRunner
			.withPropertyValues("metering.delivery.flush-interval=1h", "metering.polar.read-timeout=300ms");
		impatient.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			awaitThePassAtStart(billing);
			String first = billing.recordUsage("ai_tokens", "org_a", 5).identifier();
			String second = billing.recordUsage("ai_tokens", "org_b", 6).identifier();
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
			assertThat(context.getBean(UndeliveredUsage.class).deadLetters()).isEmpty();

			List<LoggedRequest> requests = polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)))
				.stream()
				.filter((request) -> !request.getBodyAsString().contains(FIRST_PASS))
				.toList();
			assertThat(requests).hasSize(2)
				.allSatisfy((request) -> assertThat(PolarStub.events(request))
					.extracting((event) -> event.path("external_id").asString())
					.containsExactlyInAnyOrder(first, second));
		});
	}

	@Test
	void aBatchWithOneInvalidEventDeliversTheOthersAndDeadLettersThatOneWithPolarsMessage() {
		polar.stubFor(PolarStub.ingest()
			.withRequestBody(containing(POLAR_CUSTOMER))
			.atPriority(1)
			.willReturn(PolarStub.invalidEvent(1, "customer_id", "customer_id", "Customer not found.")));
		polar.stubFor(PolarStub.ingest().atPriority(2).willReturn(PolarStub.ingested(2, 0)));
		this.contextRunner.withPropertyValues("metering.delivery.flush-interval=1h").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			awaitThePassAtStart(billing);
			String first = billing.recordUsage("ai_tokens", "org_a", 1).identifier();
			String unknown = billing.recordUsage("ai_tokens", POLAR_CUSTOMER, 2).identifier();
			String third = billing.recordUsage("ai_tokens", "org_c", 3).identifier();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThat(context.getBean(UndeliveredUsage.class).deadLetters()).singleElement().satisfies((dead) -> {
				assertThat(dead.event().identifier()).isEqualTo(unknown);
				assertThat(dead.code()).isEqualTo("customer_id");
				assertThat(dead.message()).isEqualTo("customer_id: Customer not found.");
			});
			// the others were sent again at once, without it, and accepted
			List<String> accepted = polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)))
				.stream()
				.filter((request) -> !request.getBodyAsString().contains(POLAR_CUSTOMER)
						&& !request.getBodyAsString().contains(FIRST_PASS))
				.flatMap((request) -> PolarStub.events(request).stream())
				.map((event) -> event.path("external_id").asString())
				.toList();
			assertThat(accepted).containsExactlyInAnyOrder(first, third);
		});
	}

	@Test
	void unauthorizedHoldsTheBacklogUntilTheTokenIsFixedAndNeverLogsIt(CapturedOutput output) {
		polar.stubFor(PolarStub.ingest()
			.inScenario("token")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(PolarStub.error(401, "Unauthorized", "Invalid token " + TOKEN)));
		polar.stubFor(PolarStub.ingest()
			.inScenario("token")
			.whenScenarioStateIs("fixed")
			.willReturn(PolarStub.ingested(2, 0)));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			UndeliveredUsage outbox = context.getBean(UndeliveredUsage.class);
			billing.recordUsage("ai_tokens", "org_a", 1);
			billing.recordUsage("ai_tokens", "org_a", 2);
			// more refusals than metering.delivery.max-attempts: a wrong token uses up
			// nothing
			await().atMost(Duration.ofSeconds(10))
				.until(() -> polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST))).size() >= 8);
			assertThat(outbox.deadLetters()).isEmpty();

			polar.setScenarioState("token", "fixed");
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(outbox.deadLetters()).isEmpty();
		});
		assertThat(output).contains("Polar refused the request (401 Unauthorized: Invalid token polar_oat_******)")
			// one or both, depending on whether the first pass ran before the second was
			// recorded
			.containsPattern("holding back [12] usage event\\(s\\) until metering.polar.access-token")
			.doesNotContain(TOKEN);
	}

	@Test
	void aTimestampAheadIsClampedToNow() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		Instant ahead = Instant.now().plus(Duration.ofMinutes(3));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.recordUsage("ai_tokens", "org_a", 4, ahead).recorded()).isTrue();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		});
		LoggedRequest request = polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST))).get(0);
		Instant sent = Instant.parse(PolarStub.events(request).get(0).path("timestamp").asString());
		assertThat(sent).isBefore(ahead).isBeforeOrEqualTo(request.getLoggedDate().toInstant());
	}

	@Test
	void anEventPolarFindsAheadOfItsClockIsRetriedNotDeadLettered() {
		polar.stubFor(PolarStub.ingest()
			.inScenario("skew")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(PolarStub.invalidEvent(0, "timestamp", "value_error",
					"Value error, Timestamp must be in the past."))
			.willSetStateTo("caught up"));
		polar.stubFor(PolarStub.ingest()
			.inScenario("skew")
			.whenScenarioStateIs("caught up")
			.willReturn(PolarStub.ingested(1, 0)));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			String identifier = billing.recordUsage("ai_tokens", "org_a", 4).identifier();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(context.getBean(UndeliveredUsage.class).deadLetters()).isEmpty();
			assertThat(sentEvents()).hasSize(2)
				.allSatisfy((event) -> assertThat(event.path("external_id").asString()).isEqualTo(identifier));
		});
	}

	@Test
	void aRateLimitIsWaitedOutForAsLongAsRetryAfterSays() {
		polar.stubFor(PolarStub.ingest()
			.inScenario("busy")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(PolarStub.rateLimited(1))
			.willSetStateTo("free"));
		polar.stubFor(
				PolarStub.ingest().inScenario("busy").whenScenarioStateIs("free").willReturn(PolarStub.ingested(1, 0)));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.recordUsage("ai_tokens", "org_a", 4);
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		});
		List<LoggedRequest> requests = polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)));
		assertThat(requests).hasSize(2);
		// far above the 50ms longest backoff: Retry-After decided
		assertThat(Duration.between(requests.get(0).getLoggedDate().toInstant(),
				requests.get(1).getLoggedDate().toInstant()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(950));
	}

	@Test
	void aBatchTooLargeIsSentInHalves() {
		polar.stubFor(PolarStub.ingest()
			.withRequestBody(containing("org_a"))
			.withRequestBody(containing("org_b"))
			.atPriority(1)
			.willReturn(PolarStub.error(413, "RequestEntityTooLarge", "Request Entity Too Large")));
		polar.stubFor(PolarStub.ingest().atPriority(2).willReturn(PolarStub.ingested(1, 0)));
		this.contextRunner.withPropertyValues("metering.delivery.flush-interval=1h").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			awaitThePassAtStart(billing);
			billing.recordUsage("ai_tokens", "org_a", 1);
			billing.recordUsage("ai_tokens", "org_b", 2);
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(context.getBean(UndeliveredUsage.class).deadLetters()).isEmpty();
		});
		assertThat(polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)))
			.stream()
			.filter((request) -> !request.getBodyAsString().contains(FIRST_PASS))).hasSize(3);
	}

	@Test
	void usageOverARangeReadsQuantitiesForExactlyThatRange() {
		polar.stubFor(PolarStub.quantities(METER_ID).willReturn(PolarStub.quantitiesOf(42.0, "2026-01-01T00:00:00Z")));
		Instant start = Instant.parse("2026-01-01T00:00:00Z");
		Instant end = Instant.parse("2026-01-02T00:00:00Z");
		this.contextRunner.run((context) -> {
			List<MeterUsageSummary> usage = context.getBean(BillingClient.class)
				.getUsage(METER_ID, "org_acme", start, end);
			assertThat(usage).containsExactly(new MeterUsageSummary(METER_ID, "org_acme", 42, start, end));
		});
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo("/v1/meters/" + METER_ID + "/quantities"))))
			.singleElement()
			.satisfies((request) -> {
				assertThat(request.queryParameter("start_timestamp").firstValue()).isEqualTo("2026-01-01T00:00:00Z");
				// Polar sums whole buckets up to the one holding end_timestamp
				assertThat(request.queryParameter("end_timestamp").firstValue()).isEqualTo("2026-01-01T23:00:00Z");
				assertThat(request.queryParameter("interval").firstValue()).isEqualTo("hour");
				assertThat(request.queryParameter("external_customer_id").firstValue()).isEqualTo("org_acme");
			});
	}

	@Test
	void dailyUsageReadsQuantitiesPerDayAndRoundsEachDay() {
		Instant day1 = Instant.parse("2026-01-01T00:00:00Z");
		Instant day2 = Instant.parse("2026-01-02T00:00:00Z");
		Instant end = Instant.parse("2026-01-03T00:00:00Z");
		polar.stubFor(PolarStub.quantities(METER_ID)
			.willReturn(PolarStub.quantitiesOf(41.0, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00+00:00")));
		this.contextRunner.run((context) -> assertThat(
				context.getBean(BillingClient.class).getUsage(METER_ID, "org_acme", day1, end, Duration.ofDays(1)))
			.containsExactly(new MeterUsageSummary(METER_ID, "org_acme", 21, day1, day2),
					new MeterUsageSummary(METER_ID, "org_acme", 21, day2, end)));
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo("/v1/meters/" + METER_ID + "/quantities"))))
			.singleElement()
			.satisfies((request) -> {
				assertThat(request.queryParameter("start_timestamp").firstValue()).isEqualTo("2026-01-01T00:00:00Z");
				assertThat(request.queryParameter("end_timestamp").firstValue()).isEqualTo("2026-01-02T00:00:00Z");
				assertThat(request.queryParameter("interval").firstValue()).isEqualTo("day");
			});
	}

	@Test
	void hourlyUsageOverMoreThanAWeekIsRefusedAsPolarWould() {
		this.contextRunner.run((context) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> context.getBean(BillingClient.class)
				.getUsage(METER_ID, "org_acme", Instant.parse("2026-01-01T00:00:00Z"),
						Instant.parse("2026-01-20T00:00:00Z"), Duration.ofHours(1)))
			.withMessageContaining("per hour over at most 7 days"));
	}

	@Test
	void allTimeUsageIsTheCustomerMetersConsumedUnitsWithNullTimes() {
		polar.stubFor(
				PolarStub.customerMeters().willReturn(PolarStub.customerMetersOf(POLAR_CUSTOMER, METER_ID, 1234.4)));
		this.contextRunner.run((context) -> assertThat(
				context.getBean(BillingClient.class).getUsage(METER_ID, POLAR_CUSTOMER, null, null))
			.containsExactly(new MeterUsageSummary(METER_ID, POLAR_CUSTOMER, 1234, null, null)));
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo("/v1/customer-meters")))).singleElement()
			.satisfies((request) -> {
				assertThat(request.queryParameter("meter_id").firstValue()).isEqualTo(METER_ID);
				assertThat(request.queryParameter("customer_id").firstValue()).isEqualTo(POLAR_CUSTOMER);
			});
	}

	@Test
	void currentUsageIsReadOverTheSubscriptionsCurrentPeriod() {
		// a period that holds now: an ended one would be rolled over to the current cycle
		Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(2, ChronoUnit.DAYS);
		Instant end = start.plus(30, ChronoUnit.DAYS);
		polar.stubFor(PolarStub.stateByExternalId("org_acme")
			.willReturn(
					PolarStub.stateWithSubscription(POLAR_CUSTOMER, PRO_PRODUCT, start.toString(), end.toString())));
		polar.stubFor(PolarStub.quantities(METER_ID).willReturn(PolarStub.quantitiesOf(7.0, start.toString())));
		this.contextRunner
			.run((context) -> assertThat(context.getBean(BillingClient.class).getUsage(METER_ID, "org_acme"))
				.containsExactly(new MeterUsageSummary(METER_ID, "org_acme", 7, start, end)));
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo("/v1/meters/" + METER_ID + "/quantities"))))
			.singleElement()
			.satisfies((request) -> assertThat(request.queryParameter("interval").firstValue()).isEqualTo("day"));
	}

	@Test
	void currentUsageOfACustomerWithoutSubscriptionIsAllTimeUsage() {
		polar.stubFor(
				PolarStub.stateByExternalId("org_acme").willReturn(PolarStub.stateWithoutSubscription(POLAR_CUSTOMER)));
		polar
			.stubFor(PolarStub.customerMeters().willReturn(PolarStub.customerMetersOf(POLAR_CUSTOMER, METER_ID, 42.0)));
		this.contextRunner
			.run((context) -> assertThat(context.getBean(BillingClient.class).getUsage(METER_ID, "org_acme"))
				.containsExactly(new MeterUsageSummary(METER_ID, "org_acme", 42, null, null)));
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo("/v1/meters/" + METER_ID + "/quantities")))).isEmpty();
	}

	@Test
	void usageWantsAPolarMeterId() {
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.meter-id=mtr_stripe").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThatIllegalArgumentException()
				.isThrownBy(() -> billing.getUsage("mtr_stripe", "org_acme", null, null))
				.withMessageContaining("metering.meters.ai-tokens.meter-id");
		});
	}

	@Test
	void customersAreFoundByExternalIdAndAbsenceIsNoError() {
		polar.stubFor(
				PolarStub.customerByExternalId("org_new").willReturn(PolarStub.customer(POLAR_CUSTOMER, "org_new")));
		polar.stubFor(PolarStub.customerByExternalId("org_none").willReturn(PolarStub.notFound()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getCustomerId(BillingSubject.organization("org_new"))).contains(POLAR_CUSTOMER);
			assertThat(billing.getCustomerId(BillingSubject.organization("org_none"))).isEmpty();
			assertThat(billing.getCustomerId(BillingSubject.organization("org_new"))).contains(POLAR_CUSTOMER);
		});
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo("/v1/customers/external/org_new")))).hasSize(1);
	}

	@Test
	void thePlanComesFromTheActiveSubscriptionsProduct() {
		polar.stubFor(PolarStub.state(POLAR_CUSTOMER)
			.willReturn(PolarStub.stateWithSubscription(POLAR_CUSTOMER, PRO_PRODUCT, "2026-02-03T00:00:00Z",
					"2026-03-03T00:00:00Z")));
		polar.stubFor(
				PolarStub.stateByExternalId("org_free").willReturn(PolarStub.stateWithoutSubscription(POLAR_CUSTOMER)));
		this.contextRunner
			.withPropertyValues("metering.accounts.org_pro.customer-id=" + POLAR_CUSTOMER,
					"metering.accounts.org_free.customer-id=org_free")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				assertThat(billing.getPlanLimits("org_pro").plan()).isEqualTo("pro");
				assertThat(billing.getPlanLimits("org_free").plan()).isEqualTo("free");
			});
	}

	@Test
	void aFailedReadSaysWhatWasAskedWithoutTheToken() {
		polar.stubFor(PolarStub.customerByExternalId("org_x")
			.willReturn(PolarStub.error(500, "InternalServerError", "Internal Server Error")));
		this.contextRunner.run((context) -> assertThatExceptionOfType(PolarProviderException.class)
			.isThrownBy(() -> context.getBean(BillingClient.class).getCustomerId(BillingSubject.organization("org_x")))
			.withMessage(
					"Could not find the customer of 'org_x' at Polar: 500 InternalServerError: Internal Server Error")
			.withMessageNotContaining(TOKEN));
	}

	@Test
	void deliveredUsageCannotBeCancelledAndStaysCounted() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			String identifier = billing.recordUsage("ai_tokens", "org_acme", 5).identifier();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> billing.cancelUsage(identifier))
				.withMessage("The polar meter cannot cancel usage it has been sent");
			assertThatExceptionOfType(UnsupportedOperationException.class).as("still delivered, not cancelled")
				.isThrownBy(() -> billing.cancelUsage(identifier));
		});
	}

	@Test
	void whatPolarWouldRefuseIsRefusedAtOnce() {
		this.contextRunner.run((context) -> {
			RecordUsageResult result = context.getBean(BillingClient.class)
				.recordUsage("ai_tokens", "org_a", 1, Instant.now().plus(Duration.ofHours(1)));
			assertThat(result.recorded()).isFalse();
			assertThat(result.error()).contains("in the future");
		});
	}

	private static List<JsonNode> sentEvents() {
		return polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)))
			.stream()
			.flatMap((request) -> PolarStub.events(request).stream())
			.toList();
	}

	/**
	 * Delivers an event of its own and waits for it, so that the dispatcher's pass at
	 * start is over: with a flush interval of an hour, the next pass is the test's flush,
	 * which takes every event recorded until then in one batch.
	 */
	private static void awaitThePassAtStart(BillingClient billing) {
		polar.stubFor(PolarStub.ingest()
			.withRequestBody(containing(FIRST_PASS))
			.atPriority(1)
			.willReturn(PolarStub.ingested(1, 0)));
		billing.recordUsage("ai_tokens", FIRST_PASS, 1);
		assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
	}

}
