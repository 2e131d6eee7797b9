package dev.metering.provider.stripe;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;

import com.stripe.net.Webhook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.MeteringAdvisor;
import dev.metering.RecordUsageResult;
import dev.metering.UsageLimitExceededException;
import dev.metering.admin.MeteringAdmin;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.MutableClock;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Stripe's webhooks posted to the application (Spring MVC), signed with stripe-java's own
 * signing helper, with Stripe (WireMock) answering the subscriptions and error reports
 * they announce: a subscription change applies at the next ChatClient call, an error
 * report turns the delivered event into a dead letter, and forged, replayed or repeated
 * deliveries change nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
class StripeWebhookTests {

	static final String API_KEY = "sk_test_51WebhookTestsKeyThatMustNeverBeLogged";

	/** The secret of the destination of snapshot events (subscriptions). */
	static final String SNAPSHOT_SECRET = "whsec_SnapshotDestinationSecretNeverLogged";

	/** The secret of the destination of thin events (meter error reports). */
	static final String THIN_SECRET = "whsec_ThinDestinationSecretNeverLogged";

	static final String PATH = "/metering/stripe/webhook";

	static final String ERROR_REPORT = "v1.billing.meter.error_report_triggered";

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	private static final Instant NOW = Instant.ofEpochSecond(Instant.now().getEpochSecond());

	/**
	 * The calendar month, which is also the subscription's period, so both count one
	 * usage.
	 */
	private static final YearMonth MONTH = YearMonth.from(NOW.atZone(ZoneOffset.UTC));

	private final MutableClock clock = new MutableClock(NOW);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withUserConfiguration(MockMvcConfiguration.class)
		.withBean(Clock.class, () -> this.clock)
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=" + API_KEY,
				"metering.stripe.api-base=" + stripe.baseUrl(), "metering.stripe.meter-events-base=" + stripe.baseUrl(),
				"metering.stripe.webhook.secret=" + SNAPSHOT_SECRET + "," + THIN_SECRET,
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
				"metering.plans.pro.price-ids=price_pro", "metering.plans.pro.limits.aiTokens=100000",
				"metering.accounts.org_acme.customer-id=cus_acme", "metering.delivery.flush-interval=20ms",
				"metering.delivery.coalesce=false",
				"spring.datasource.url=jdbc:h2:mem:stripe-webhooks-" + UUID.randomUUID());

	@BeforeEach
	void reset() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
	}

	@Test
	void aSubscriptionChangedAtStripeAppliesAtTheNextCall() {
		subscription(null);
		this.contextRunner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(600, 500);
			ChatClient chat = chatClient(context, model);
			assertThat(ask(chat)).isEqualTo("ok");
			assertThatExceptionOfType(UsageLimitExceededException.class).as("1100 of the free 1000")
				.isThrownBy(() -> ask(chat));

			subscription("price_pro");
			assertThatExceptionOfType(UsageLimitExceededException.class).as("the free plan, still cached")
				.isThrownBy(() -> ask(chat));
			assertThat(deliver(context, subscriptionEvent("evt_upgraded", "customer.subscription.updated"),
					SNAPSHOT_SECRET)
				.getResponse()
				.getStatus()).isEqualTo(200);
			assertThat(ask(chat)).as("the pro plan, read again from Stripe").isEqualTo("ok");
			assertThat(model.calls()).isEqualTo(2);

			subscription(null);
			deliver(context, subscriptionEvent("evt_deleted", "customer.subscription.deleted"), SNAPSHOT_SECRET);
			assertThatExceptionOfType(UsageLimitExceededException.class).as("back on the free plan")
				.isThrownBy(() -> ask(chat));
			assertThat(model.calls()).isEqualTo(2);
		});
	}

	@Test
	void anErrorReportTurnsTheDeliveredEventIntoADeadLetterWithStripesReasonOnce(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			String identifier = recordAndDeliver(context, 42);
			stripe.stubFor(errorReport("evt_report_1", identifier));

			assertThat(deliver(context, thinEvent("evt_report_1"), THIN_SECRET).getResponse().getStatus())
				.isEqualTo(200);

			MeteringAdmin admin = context.getBean(MeteringAdmin.class);
			assertThat(admin.deadLetters()).singleElement().satisfies((dead) -> {
				assertThat(dead.event().identifier()).isEqualTo(identifier);
				assertThat(dead.event().value()).isEqualTo(42);
				assertThat(dead.code()).isEqualTo("meter_event_customer_not_found");
				assertThat(dead.message()).isEqualTo("Customer cus_acme was not found.");
			});
			SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
			assertThat(registry.counter("metering.events.dead-lettered", "provider", "stripe").count()).isOne();
			assertThat(refusedLate(registry, true)).isOne();
			assertThat(refusedLate(registry, false)).as("one unknown identifier, one refusal without one").isEqualTo(2);
			assertThat(output)
				.contains("Usage event " + identifier + " (ai_tokens, customer cus_acme, value 42) "
						+ "was refused by stripe after delivery: meter_event_customer_not_found")
				.contains("usage_unknown (meter_event_customer_not_found: Customer cus_gone was not found.)")
				.contains("1 more refused without an identifier")
				.contains("There are 3 invalid events");

			// the same event delivered again, before and after the dead letter was
			// re-driven
			assertThat(deliver(context, thinEvent("evt_report_1"), THIN_SECRET).getResponse().getStatus())
				.isEqualTo(200);
			assertThat(admin.redrive(identifier)).isTrue();
			assertThat(context.getBean(BillingClient.class).flush(java.time.Duration.ofSeconds(10))).isTrue();
			assertThat(deliver(context, thinEvent("evt_report_1"), THIN_SECRET).getResponse().getStatus())
				.isEqualTo(200);

			assertThat(admin.deadLetters()).as("handled once").isEmpty();
			assertThat(stripe.findAll(getRequestedFor(urlPathEqualTo("/v2/core/events/evt_report_1")))).hasSize(1);
			assertThat(refusedLate(registry, true)).isOne();
			assertThat(output).doesNotContain(API_KEY, SNAPSHOT_SECRET, THIN_SECRET);
		});
	}

	@Test
	void usageStripeFoundNoMeterForIsReportedAndDeadLetteredTheSameWay() {
		this.contextRunner.run((context) -> {
			String identifier = recordAndDeliver(context, 3);
			stripe.stubFor(errorReport("evt_no_meter", "v1.billing.meter.no_meter_found", identifier));

			assertThat(deliver(context, thinEvent("evt_no_meter", "v1.billing.meter.no_meter_found"), THIN_SECRET)
				.getResponse()
				.getStatus()).isEqualTo(200);

			assertThat(context.getBean(MeteringAdmin.class).deadLetters())
				.extracting((dead) -> dead.event().identifier())
				.containsExactly(identifier);
		});
	}

	@Test
	void aReportStripeCannotTellIsAnsweredWithAnErrorAndHandledWhenDeliveredAgain(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			String identifier = recordAndDeliver(context, 7);
			stripe.stubFor(get(urlPathEqualTo("/v2/core/events/evt_report_2"))
				.willReturn(StripeStub.error(500, "api_error", null, "Something went wrong")));

			assertThat(deliver(context, thinEvent("evt_report_2"), THIN_SECRET).getResponse().getStatus())
				.isEqualTo(500);
			assertThat(output).contains("Could not handle event evt_report_2 (v1.billing.meter.error_report_triggered) "
					+ "from stripe; answering 500 so that it is delivered again: Could not read event evt_report_2 at "
					+ "Stripe: 500");

			stripe.stubFor(errorReport("evt_report_2", identifier));
			assertThat(deliver(context, thinEvent("evt_report_2"), THIN_SECRET).getResponse().getStatus())
				.isEqualTo(200);
			assertThat(context.getBean(MeteringAdmin.class).deadLetters())
				.extracting((dead) -> dead.event().identifier())
				.containsExactly(identifier);
		});
	}

	@Test
	void aWronglySignedOrUnsignedWebhookIsRefusedAndLoggedWithoutItsPayload(CapturedOutput output) {
		subscription(null);
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getPlanLimits("org_acme").plan()).isEqualTo("free");
			subscription("price_pro");

			MvcResult forged = deliver(context, subscriptionEvent("evt_forged", "customer.subscription.updated"),
					"whsec_NotTheSecretOfThisEndpoint");
			MvcResult unsigned = context.getBean(MockMvc.class)
				.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
					.content(subscriptionEvent("evt_unsigned", "customer.subscription.updated")))
				.andReturn();

			assertThat(forged.getResponse().getStatus()).isEqualTo(400);
			assertThat(forged.getResponse().getContentAsString()).contains("Invalid webhook signature")
				.doesNotContain("No signatures found");
			assertThat(unsigned.getResponse().getStatus()).isEqualTo(400);
			assertThat(billing.getPlanLimits("org_acme").plan()).as("no cache evicted").isEqualTo("free");
			assertThat(output)
				.contains("Refused a stripe webhook delivery to " + PATH
						+ ": No signatures found matching the expected signature for payload (with 2 signing secrets")
				.contains("Refused a stripe webhook delivery to " + PATH + ": it has no Stripe-Signature header")
				.doesNotContain("evt_forged", "cus_acme\"", "NotTheSecret", SNAPSHOT_SECRET, THIN_SECRET);
		});
	}

	@Test
	void aDeliverySignedLongerAgoThanTheToleranceIsRefusedAsAReplay(CapturedOutput output) {
		subscription(null);
		this.contextRunner.run((context) -> {
			context.getBean(BillingClient.class).getPlanLimits("org_acme");
			subscription("price_pro");
			String payload = subscriptionEvent("evt_replayed", "customer.subscription.updated");

			MvcResult replayed = deliver(context, payload, SNAPSHOT_SECRET, NOW.minusSeconds(301));

			assertThat(replayed.getResponse().getStatus()).isEqualTo(400);
			assertThat(context.getBean(BillingClient.class).getPlanLimits("org_acme").plan()).isEqualTo("free");
			assertThat(output)
				.contains("Timestamp outside the tolerance zone (with 2 signing secrets, tolerance 300s)");
			assertThat(deliver(context, payload, SNAPSHOT_SECRET, NOW.minusSeconds(300)).getResponse().getStatus())
				.as("just within")
				.isEqualTo(200);
			assertThat(context.getBean(BillingClient.class).getPlanLimits("org_acme").plan()).isEqualTo("pro");
		});
	}

	@Test
	void withoutADatabaseOutboxAReportedRefusalIsLoggedAndCountedNeverLost(CapturedOutput output) {
		new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withUserConfiguration(MockMvcConfiguration.class)
			.withBean(Clock.class, () -> this.clock)
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=" + API_KEY,
					"metering.stripe.api-base=" + stripe.baseUrl(),
					"metering.stripe.meter-events-base=" + stripe.baseUrl(),
					"metering.stripe.webhook.secret=" + THIN_SECRET, "metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.meter-id=mtr_ai", "metering.delivery.flush-interval=20ms")
			.run((context) -> {
				String identifier = recordAndDeliver(context, 5);
				stripe.stubFor(errorReport("evt_report_3", identifier));

				assertThat(deliver(context, thinEvent("evt_report_3"), THIN_SECRET).getResponse().getStatus())
					.isEqualTo(200);

				assertThat(context.getBean(MeteringAdmin.class).deadLetters()).isEmpty();
				assertThat(refusedLate(context.getBean(SimpleMeterRegistry.class), false)).isEqualTo(3);
				assertThat(output)
					.contains("stripe refused usage it had accepted: Stripe event evt_report_3 "
							+ "(v1.billing.meter.error_report_triggered, meter mtr_ai")
					.contains("no delivered event in the outbox for [" + identifier
							+ " (meter_event_customer_not_found: Customer cus_acme was not found.)");
			});
	}

	private static String recordAndDeliver(AssertableWebApplicationContext context, long value) {
		BillingClient billing = context.getBean(BillingClient.class);
		RecordUsageResult recorded = billing.recordUsage("ai_tokens", "cus_acme", value);
		assertThat(recorded.recorded()).isTrue();
		assertThat(billing.flush(java.time.Duration.ofSeconds(10))).isTrue();
		return recorded.identifier();
	}

	private static double refusedLate(SimpleMeterRegistry registry, boolean deadLettered) {
		return registry
			.counter("metering.events.refused-late", "provider", "stripe", "dead-lettered",
					Boolean.toString(deadLettered))
			.count();
	}

	/** Stripe answers the customer's active subscription on the price, or none. */
	private static void subscription(String priceId) {
		stripe.stubFor(StripeStub.subscriptions()
			.withQueryParam("customer", equalTo("cus_acme"))
			.willReturn((priceId != null)
					? StripeStub.activeSubscription("cus_acme", priceId,
							MONTH.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC),
							MONTH.plusMonths(1).atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC))
					: StripeStub.noSubscriptions()));
	}

	/** A snapshot event of a subscription, as a webhook endpoint receives it. */
	private static String subscriptionEvent(String id, String type) {
		return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"2025-11-17.clover\",\"created\":"
				+ NOW.getEpochSecond() + ",\"data\":{\"object\":{\"id\":\"sub_1\",\"object\":\"subscription\","
				+ "\"customer\":\"cus_acme\",\"status\":\"active\"}},\"livemode\":false,\"pending_webhooks\":1,"
				+ "\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" + type + "\"}";
	}

	/**
	 * A thin event announcing a meter error report, as an event destination receives it.
	 */
	private static String thinEvent(String id) {
		return thinEvent(id, ERROR_REPORT);
	}

	private static String thinEvent(String id, String type) {
		return "{\"id\":\"" + id + "\",\"object\":\"v2.core.event\",\"type\":\"" + type + "\","
				+ "\"livemode\":false,\"created\":\"" + NOW + "\",\"related_object\":{\"id\":\"mtr_ai\","
				+ "\"type\":\"billing.meter\",\"url\":\"/v1/billing/meters/mtr_ai\"}}";
	}

	/**
	 * The error report behind a thin event, as {@code GET /v2/core/events/{id}} answers
	 * it: three invalid events, of which Stripe names two by identifier (one unknown
	 * here).
	 */
	private static com.github.tomakehurst.wiremock.client.MappingBuilder errorReport(String id, String identifier) {
		return errorReport(id, ERROR_REPORT, identifier);
	}

	private static com.github.tomakehurst.wiremock.client.MappingBuilder errorReport(String id, String type,
			String identifier) {
		return get(urlPathEqualTo("/v2/core/events/" + id)).willReturn(StripeStub.json(200, "{\"id\":\"" + id
				+ "\",\"object\":\"v2.core.event\",\"context\":null,\"created\":\"" + NOW + "\",\"data\":{"
				+ "\"developer_message_summary\":\"There are 3 invalid events\",\"reason\":{\"error_count\":3,"
				+ "\"error_types\":[{\"code\":\"meter_event_customer_not_found\",\"error_count\":3,\"sample_errors\":["
				+ "{\"error_message\":\"Customer cus_acme was not found.\",\"request\":{\"identifier\":\"" + identifier
				+ "\"}},{\"error_message\":\"Customer cus_gone was not found.\",\"request\":{\"identifier\":"
				+ "\"usage_unknown\"}}]}]},\"validation_end\":\"" + NOW + "\",\"validation_start\":\""
				+ NOW.minusSeconds(60) + "\"},\"livemode\":false,\"reason\":null,\"related_object\":{\"id\":\"mtr_ai\","
				+ "\"type\":\"billing.meter\",\"url\":\"/v1/billing/meters/mtr_ai\"}," + "\"type\":\"" + type + "\"}"));
	}

	private MvcResult deliver(AssertableWebApplicationContext context, String payload, String secret) throws Exception {
		return deliver(context, payload, secret, NOW);
	}

	private static MvcResult deliver(AssertableWebApplicationContext context, String payload, String secret,
			Instant signedAt) throws Exception {
		return context.getBean(MockMvc.class)
			.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
				.header("Stripe-Signature",
						Webhook.Signature.generateSignatureHeader(payload, secret, signedAt.getEpochSecond()))
				.content(payload))
			.andReturn();
	}

	private static ChatClient chatClient(AssertableWebApplicationContext context, FixedUsageChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	private static String ask(ChatClient chat) {
		return chat.prompt("hello")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_acme"))
			.call()
			.content();
	}

}
