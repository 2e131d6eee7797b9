package dev.metering.provider.polar;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

import dev.metering.BillingClient;
import dev.metering.PlanLimits;
import dev.metering.UsageStatus;
import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderBalance;
import dev.metering.provider.TokenKind;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.MutableClock;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Polar's webhooks posted to the application (Spring MVC), signed per Standard Webhooks,
 * with Polar (WireMock) answering the customer state they announce changed: the
 * customer's cached plan, period and balance are evicted at once; forged, replayed or
 * repeated deliveries change nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
class PolarWebhookTests {

	static final String TOKEN = "polar_oat_WebhookTestsTokenNeverLogged";

	/** A secret of Polar's current kind: the base64 of the key, after whsec_. */
	static final String SECRET = "whsec_c2lnbmluZyBrZXkgb2YgdGhlIHBvbGFyIGVuZHBvaW50";

	/** A secret of Polar's older kind, keyed by its own bytes. */
	static final String OLDER_SECRET = "polar_whs_OlderEndpointSecretNeverLogged";

	static final String PATH = "/metering/polar/webhook";

	static final String PRO_PRODUCT = "8d2f7c1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";

	static final String ACME = "5c9e1f2a-7b3d-4e6f-8a9b-0c1d2e3f4a5b";

	static final String NEWCOMER = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

	static final String METER_ID = "0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01";

	static final MeterDefinition AI_TOKENS = new MeterDefinition("ai-tokens", "ai_tokens", METER_ID, TokenKind.TOTAL,
			"aiTokens", MeterAggregation.SUM, "value");

	@RegisterExtension
	static final StubServer polar = new StubServer();

	static final Instant NOW = Instant.ofEpochSecond(Instant.now().getEpochSecond());

	private static final Instant PERIOD_START = NOW.truncatedTo(ChronoUnit.DAYS).minus(3, ChronoUnit.DAYS);

	private static final Instant PERIOD_END = PERIOD_START.plus(30, ChronoUnit.DAYS);

	private final MutableClock clock = new MutableClock(NOW);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withUserConfiguration(MockMvcConfiguration.class)
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues("metering.provider=polar", "metering.polar.access-token=" + TOKEN,
				"metering.polar.base-url=" + polar.baseUrl(),
				"metering.polar.webhook.secret=" + SECRET + "," + OLDER_SECRET,
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=" + METER_ID,
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
				"metering.plans.pro.polar-product-ids=" + PRO_PRODUCT, "metering.plans.pro.limits.aiTokens=100000",
				"metering.accounts.org_acme.customer-id=org_acme", "metering.delivery.flush-interval=1h");

	@Test
	void aSubscriptionEventEvictsTheCustomersCachedPlanAndPeriod() {
		acmeSubscribed(false);
		this.contextRunner.run((context) -> {
			assertThat(status(context).plan()).isEqualTo("free");
			acmeSubscribed(true);
			assertThat(status(context).plan()).as("cached").isEqualTo("free");

			assertThat(deliver(context, "msg_updated", subscriptionEvent("subscription.updated"), NOW, SECRET))
				.isEqualTo(200);

			UsageStatus upgraded = status(context);
			assertThat(upgraded.plan()).isEqualTo("pro");
			assertThat(upgraded.limit()).isEqualTo(100000);
			assertThat(upgraded.periodStart()).isEqualTo(PERIOD_START);
			assertThat(upgraded.periodEnd()).isEqualTo(PERIOD_END);
		});
	}

	@Test
	void aCustomerStateChangeFindsACustomerThatHadNoneCachedAndItsPlan() {
		polar.stubFor(PolarStub.customerByExternalId("org_new").willReturn(PolarStub.notFound()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getPlanLimits("org_new").plan()).isEqualTo("free");
			polar
				.stubFor(PolarStub.customerByExternalId("org_new").willReturn(PolarStub.customer(NEWCOMER, "org_new")));
			polar.stubFor(PolarStub.state(NEWCOMER)
				.willReturn(PolarStub.stateWithSubscription(NEWCOMER, PRO_PRODUCT, PERIOD_START.toString(),
						PERIOD_END.toString())));
			assertThat(billing.getPlanLimits("org_new").plan()).as("no customer, cached").isEqualTo("free");

			String stateChanged = "{\"type\":\"customer.state_changed\",\"timestamp\":\"" + NOW + "\",\"data\":{"
					+ "\"id\":\"" + NEWCOMER + "\",\"external_id\":\"org_new\",\"email\":\"new@example.com\","
					+ "\"active_subscriptions\":[],\"granted_benefits\":[],\"active_meters\":[]}}";
			assertThat(deliver(context, "msg_state", stateChanged, NOW, OLDER_SECRET)).isEqualTo(200);

			PlanLimits limits = billing.getPlanLimits("org_new");
			assertThat(limits.plan()).isEqualTo("pro");
		});
	}

	@Test
	void aCreditsGrantEvictsTheCachedBalanceAndAnotherBenefitsGrantDoesNot() {
		acmeSubscribed(true);
		creditsLeft(4000);
		this.contextRunner.run((context) -> {
			assertThat(creditsLeft(context)).contains(4000L);
			creditsLeft(9000);

			assertThat(deliver(context, "msg_license", benefitGrantEvent("benefit_grant.created", "license_keys"), NOW,
					SECRET))
				.isEqualTo(200);
			assertThat(creditsLeft(context)).as("cached").contains(4000L);

			assertThat(deliver(context, "msg_credits", benefitGrantEvent("benefit_grant.cycled", "meter_credit"), NOW,
					SECRET))
				.isEqualTo(200);
			assertThat(creditsLeft(context)).contains(9000L);
		});
	}

	@Test
	void aCustomerStateChangeEvictsTheCachedBalance() {
		acmeSubscribed(true);
		creditsLeft(4000);
		this.contextRunner.run((context) -> {
			assertThat(creditsLeft(context)).contains(4000L);
			creditsLeft(0);
			String stateChanged = "{\"type\":\"customer.state_changed\",\"timestamp\":\"" + NOW + "\",\"data\":{"
					+ "\"id\":\"" + ACME + "\",\"external_id\":\"org_acme\",\"email\":\"acme@example.com\","
					+ "\"active_subscriptions\":[],\"granted_benefits\":[],\"active_meters\":[{\"id\":"
					+ "\"6f0cfa3c-96b4-4e86-8a5c-7b0a4d4c7a10\",\"meter_id\":\"" + METER_ID + "\","
					+ "\"consumed_units\":5000,\"credited_units\":5000,\"balance\":0}]}}";

			assertThat(deliver(context, "msg_state", stateChanged, NOW, SECRET)).isEqualTo(200);

			assertThat(creditsLeft(context)).contains(0L);
		});
	}

	@Test
	void aDuplicateDeliveryIsAcknowledgedAndHandledOnce() {
		acmeSubscribed(false);
		this.contextRunner.run((context) -> {
			status(context);
			acmeSubscribed(true);
			assertThat(deliver(context, "msg_once", subscriptionEvent("subscription.active"), NOW, SECRET))
				.isEqualTo(200);
			assertThat(status(context).plan()).isEqualTo("pro");

			acmeSubscribed(false);
			this.clock.set(NOW.plusSeconds(60));
			assertThat(
					deliver(context, "msg_once", subscriptionEvent("subscription.active"), NOW.plusSeconds(60), SECRET))
				.as("the same event, signed again for its retry")
				.isEqualTo(200);

			assertThat(status(context).plan()).as("not evicted again").isEqualTo("pro");
			assertThat(polar.findAll(getRequestedFor(urlPathEqualTo("/v1/customers/external/org_acme/state"))))
				.hasSize(2);
		});
	}

	@Test
	void aWronglySignedReplayedOrPostdatedDeliveryIsRefusedAndLoggedWithoutItsPayload(CapturedOutput output) {
		acmeSubscribed(false);
		this.contextRunner.run((context) -> {
			status(context);
			acmeSubscribed(true);
			String event = subscriptionEvent("subscription.updated");

			assertThat(deliver(context, "msg_forged", event, NOW, "whsec_" + "Zm9yZ2VkIGtleSBvZiBhbiBhdHRhY2tlcg=="))
				.isEqualTo(400);
			assertThat(deliver(context, "msg_replayed", event, NOW.minus(Duration.ofMinutes(6)), SECRET))
				.isEqualTo(400);
			assertThat(deliver(context, "msg_postdated", event, NOW.plus(Duration.ofMinutes(6)), SECRET))
				.isEqualTo(400);

			assertThat(status(context).plan()).as("nothing evicted").isEqualTo("free");
			assertThat(output)
				.contains("Refused a polar webhook delivery to " + PATH + ": no signature matches its body with the 3 "
						+ "keys of the signing secrets")
				.contains("Refused a polar webhook delivery to " + PATH + ": it was signed at "
						+ NOW.minus(Duration.ofMinutes(6)) + ", outside the tolerance of PT5M from now")
				.doesNotContain(ACME, SECRET, OLDER_SECRET, "Zm9yZ2Vk", TOKEN);
		});
	}

	private static void acmeSubscribed(boolean subscribed) {
		polar.stubFor(PolarStub.stateByExternalId("org_acme")
			.willReturn(subscribed
					? PolarStub.stateWithSubscription(ACME, PRO_PRODUCT, PERIOD_START.toString(), PERIOD_END.toString())
					: PolarStub.stateWithoutSubscription(ACME)));
	}

	private static void creditsLeft(long left) {
		polar.stubFor(PolarStub.customerMeters()
			.willReturn(PolarStub.customerMetersPage(1, PolarStub.customerMeter(ACME, METER_ID, 10000, 10000 - left))));
	}

	/** What is left of org_acme's credits on the meter, as the provider answers it. */
	private static Optional<Long> creditsLeft(AssertableWebApplicationContext context) {
		return context.getBean(MeterProvider.class).balance("org_acme", AI_TOKENS).map(ProviderBalance::remaining);
	}

	/**
	 * A benefit grant event of org_acme's customer, as Polar's webhook payloads have it.
	 */
	private static String benefitGrantEvent(String type, String benefitType) {
		return "{\"type\":\"" + type + "\",\"timestamp\":\"" + NOW + "\",\"data\":{\"id\":"
				+ "\"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\",\"is_granted\":true,\"is_revoked\":false,"
				+ "\"subscription_id\":\"e3f1a1c0-0c4b-4b7e-9c43-1d2f3a4b5c6d\",\"order_id\":null,"
				+ "\"customer_id\":\"" + ACME + "\",\"benefit_id\":\"1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b\","
				+ "\"customer\":{\"id\":\"" + ACME + "\",\"external_id\":\"org_acme\",\"email\":\"acme@example.com\"},"
				+ "\"benefit\":{\"id\":\"1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b\",\"type\":\"" + benefitType + "\","
				+ "\"description\":\"Monthly tokens\",\"properties\":{\"meter_id\":\"" + METER_ID + "\","
				+ "\"units\":10000,\"rollover\":false}},\"properties\":{}}}";
	}

	/**
	 * A subscription event of org_acme's customer, as Polar's webhook payloads have it.
	 */
	static String subscriptionEvent(String type) {
		return "{\"type\":\"" + type + "\",\"timestamp\":\"" + NOW + "\",\"data\":{\"id\":"
				+ "\"e3f1a1c0-0c4b-4b7e-9c43-1d2f3a4b5c6d\",\"status\":\"active\",\"customer_id\":\"" + ACME + "\","
				+ "\"product_id\":\"" + PRO_PRODUCT + "\",\"current_period_start\":\"" + PERIOD_START + "\","
				+ "\"current_period_end\":\"" + PERIOD_END + "\",\"customer\":{\"id\":\"" + ACME + "\","
				+ "\"external_id\":\"org_acme\",\"email\":\"acme@example.com\"}}}";
	}

	private static UsageStatus status(AssertableWebApplicationContext context) {
		return context.getBean(BillingClient.class).getUsageStatus("org_acme", "aiTokens");
	}

	/**
	 * Posts the payload as Polar does, signed with the secret's key: its base64 for
	 * whsec_, else its bytes.
	 */
	private static int deliver(AssertableWebApplicationContext context, String id, String payload, Instant signedAt,
			String secret) throws Exception {
		byte[] body = payload.getBytes(StandardCharsets.UTF_8);
		String signature = secret.startsWith("whsec_")
				? PolarWebhookSigner.sign(secret, id, signedAt.getEpochSecond(), body)
				: PolarWebhookSigner.sign(secret.getBytes(StandardCharsets.UTF_8), id, signedAt.getEpochSecond(), body);
		return context.getBean(MockMvc.class)
			.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
				.header("webhook-id", id)
				.header("webhook-timestamp", Long.toString(signedAt.getEpochSecond()))
				.header("webhook-signature", signature)
				.content(body))
			.andReturn()
			.getResponse()
			.getStatus();
	}

}
