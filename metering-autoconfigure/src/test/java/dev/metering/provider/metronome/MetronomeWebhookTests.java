package dev.metering.provider.metronome;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

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
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Metronome's webhooks posted to the application (Spring MVC), signed as Metronome signs
 * them, with Metronome (WireMock) answering the customer and contract they announce
 * changed: a contract change reaches the customer's cached plan at once, under its ingest
 * alias, and a new customer is cached for its alias; an alert evicts the cached balance;
 * forged, replayed or repeated deliveries change nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
class MetronomeWebhookTests {

	static final String TOKEN = "mtr-api-WebhookTestsTokenNeverLogged";

	static final String SECRET = "metronome-webhook-secret-never-logged";

	static final String PATH = "/metering/metronome/webhook";

	static final String PRO_RATE_CARD = "8d2f7c1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";

	static final String ACME = "5c9e1f2a-7b3d-4e6f-8a9b-0c1d2e3f4a5b";

	static final String NEWCOMER = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

	static final String AI_CREDITS = "6b1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

	@RegisterExtension
	static final StubServer metronome = new StubServer();

	private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

	private final MutableClock clock = new MutableClock(NOW);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withUserConfiguration(MockMvcConfiguration.class)
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=" + TOKEN,
				"metering.metronome.base-url=" + metronome.baseUrl(), "metering.metronome.webhook.secret=" + SECRET,
				"metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.meter-id=0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
				"metering.plans.pro.metronome-rate-card-ids=" + PRO_RATE_CARD,
				"metering.plans.pro.limits.aiTokens=100000", "metering.accounts.org_acme.customer-id=org_acme",
				"metering.delivery.flush-interval=1h");

	@Test
	void aContractEventReachesThePlanCachedUnderTheCustomersIngestAlias() {
		metronome.stubFor(
				MetronomeStub.customerByAlias("org_acme").willReturn(MetronomeStub.customersWith(ACME, "org_acme")));
		metronome.stubFor(MetronomeStub.customer(ACME).willReturn(MetronomeStub.customerOf(ACME, "org_acme")));
		acmeContracted(false);
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getPlanLimits("org_acme").plan()).isEqualTo("free");
			acmeContracted(true);
			assertThat(billing.getPlanLimits("org_acme").plan()).as("cached").isEqualTo("free");

			assertThat(deliver(context, contractEvent("contract.create", ACME), NOW, SECRET)).isEqualTo(200);

			assertThat(billing.getPlanLimits("org_acme").plan()).isEqualTo("pro");
		});
	}

	@Test
	void aContractOfANewCustomerCachesItForItsAliasWithoutAskingForIt() {
		metronome.stubFor(MetronomeStub.customerByAlias("org_new").willReturn(MetronomeStub.noCustomers()));
		metronome.stubFor(MetronomeStub.customer(NEWCOMER).willReturn(MetronomeStub.customerOf(NEWCOMER, "org_new")));
		metronome.stubFor(MetronomeStub.contracts()
			.willReturn(MetronomeStub.contractsOf(MetronomeStub.contract(NEWCOMER, PRO_RATE_CARD,
					NOW.minus(Duration.ofDays(3)).toString(), NOW.minus(Duration.ofDays(3)).toString(), "MONTHLY"))));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getPlanLimits("org_new").plan()).isEqualTo("free");

			assertThat(deliver(context, contractEvent("contract.start", NEWCOMER), NOW, SECRET)).isEqualTo(200);

			assertThat(billing.getPlanLimits("org_new").plan()).isEqualTo("pro");
			assertThat(metronome.findAll(getRequestedFor(urlPathEqualTo("/v1/customers")))).as("asked once, before")
				.hasSize(1);
		});
	}

	@Test
	void aLowBalanceAlertEvictsTheCachedBalance() {
		metronome.stubFor(MetronomeStub.customer(ACME).willReturn(MetronomeStub.customerOf(ACME, "org_acme")));
		balanceLeft(5000);
		this.contextRunner.run((context) -> {
			MeterProvider provider = context.getBean(MeterProvider.class);
			MeterDefinition meter = new MeterDefinition("ai-tokens", "ai_tokens", null, TokenKind.TOTAL, null,
					MeterAggregation.SUM, "value");
			assertThat(provider.balance(ACME, meter)).map(ProviderBalance::remaining).contains(5000L);
			balanceLeft(0);
			assertThat(provider.balance(ACME, meter)).as("cached").map(ProviderBalance::remaining).contains(5000L);

			String alert = "{\"id\":\"445b849e-1366-4580-a6cc-f488e27c059f\",\"properties\":{\"customer_id\":\"" + ACME
					+ "\",\"alert_id\":\"445b849e-1366-4580-a6cc-f488e27c059f\",\"timestamp\":\"" + NOW
					+ "\",\"threshold\":0,\"alert_name\":\"Balance exhausted\",\"credit_type_id\":\"" + AI_CREDITS
					+ "\",\"remaining_balance\":0,\"triggered_by\":\"usage\"},"
					+ "\"type\":\"alerts.low_remaining_contract_credit_and_commit_balance_reached\"}";
			assertThat(deliver(context, alert, NOW, SECRET)).isEqualTo(200);

			assertThat(provider.balance(ACME, meter)).map(ProviderBalance::remaining).contains(0L);
		});
	}

	@Test
	void aDuplicateDeliveryIsAcknowledgedAndHandledOnceAndOtherNotificationsAskNothing() {
		metronome.stubFor(
				MetronomeStub.customerByAlias("org_acme").willReturn(MetronomeStub.customersWith(ACME, "org_acme")));
		metronome.stubFor(MetronomeStub.customer(ACME).willReturn(MetronomeStub.customerOf(ACME, "org_acme")));
		acmeContracted(false);
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.getPlanLimits("org_acme");
			acmeContracted(true);
			String event = contractEvent("contract.edit", ACME);
			assertThat(deliver(context, event, NOW, SECRET)).isEqualTo(200);
			assertThat(billing.getPlanLimits("org_acme").plan()).isEqualTo("pro");

			acmeContracted(false);
			this.clock.set(NOW.plusSeconds(60));
			assertThat(deliver(context, event, NOW.plusSeconds(60), SECRET)).as("the same notification, again")
				.isEqualTo(200);
			assertThat(billing.getPlanLimits("org_acme").plan()).as("not evicted again").isEqualTo("pro");

			String invoice = "{\"id\":\"fc00bd44-8d4b-4913-9b7c-fd1f8da61e62\",\"properties\":{\"invoice_id\":"
					+ "\"de99894e-f9ce-4b6c-92b0-f4ec0d09b6f1\",\"customer_id\":\"" + ACME + "\"},"
					+ "\"type\":\"invoice.finalized\"}";
			assertThat(deliver(context, invoice, NOW.plusSeconds(60), SECRET)).isEqualTo(200);
			assertThat(metronome.findAll(getRequestedFor(urlPathEqualTo("/v1/customers/" + ACME)))).hasSize(1);
			assertThat(metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.CONTRACTS)))).hasSize(2);
		});
	}

	@Test
	void aWronglySignedOrReplayedDeliveryIsRefusedAndLoggedWithoutItsPayload(CapturedOutput output) {
		metronome.stubFor(
				MetronomeStub.customerByAlias("org_acme").willReturn(MetronomeStub.customersWith(ACME, "org_acme")));
		acmeContracted(false);
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.getPlanLimits("org_acme");
			acmeContracted(true);
			String event = contractEvent("contract.edit", ACME);

			assertThat(deliver(context, event, NOW, "forged-secret-of-an-attacker")).isEqualTo(400);
			assertThat(deliver(context, event, NOW.minus(Duration.ofMinutes(6)), SECRET)).isEqualTo(400);

			assertThat(billing.getPlanLimits("org_acme").plan()).as("nothing evicted").isEqualTo("free");
			assertThat(output)
				.contains("Refused a metronome webhook delivery to " + PATH + ": no signature matches its body with "
						+ "the 1 secret of the webhooks")
				.contains("Refused a metronome webhook delivery to " + PATH + ": it was signed at "
						+ NOW.minus(Duration.ofMinutes(6)) + ", outside the tolerance of PT5M from now")
				.doesNotContain(ACME, SECRET, "forged-secret", TOKEN);
		});
	}

	private static void acmeContracted(boolean contracted) {
		metronome.stubFor(MetronomeStub.contracts()
			.willReturn(contracted
					? MetronomeStub.contractsOf(
							MetronomeStub.contract(ACME, PRO_RATE_CARD, NOW.minus(Duration.ofDays(40)).toString(),
									NOW.minus(Duration.ofDays(40)).toString(), "MONTHLY"))
					: MetronomeStub.contractsOf()));
	}

	private static void balanceLeft(double left) {
		metronome.stubFor(MetronomeStub.balances()
			.willReturn(MetronomeStub.balancesOf(MetronomeStub.balance("PREPAID", AI_CREDITS, "AI credits", 5000, left,
					NOW.minus(Duration.ofDays(1)).toString(), NOW.plus(Duration.ofDays(30)).toString()))));
	}

	/** A system notification of a contract, as Metronome's webhook guide shows them. */
	private static String contractEvent(String type, String customerId) {
		return "{\"id\":\"ba0d43a2-9426-5219-9191-becdfb43e102\",\"type\":\"" + type + "\",\"timestamp\":\"" + NOW
				+ "\",\"environment_type\":\"PRODUCTION\",\"contract_id\":\"3b1cf6f5-e4ea-449f-acc3-afceffaddea7\","
				+ "\"contract_custom_fields\":{},\"customer_id\":\"" + customerId + "\",\"customer_custom_fields\":{}}";
	}

	/** Posts the payload as Metronome does, dated and signed with the secret. */
	private static int deliver(AssertableWebApplicationContext context, String payload, Instant sentAt, String secret)
			throws Exception {
		byte[] body = payload.getBytes(StandardCharsets.UTF_8);
		String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(sentAt, ZoneOffset.UTC));
		return context.getBean(MockMvc.class)
			.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
				.header("Date", date)
				.header("X-Metronome-Date", date)
				.header("Metronome-Webhook-Signature", MetronomeWebhookSigner.sign(secret, date, body))
				.content(body))
			.andReturn()
			.getResponse()
			.getStatus();
	}

}
