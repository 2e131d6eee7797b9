package dev.metering.provider.stripe;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderBalance;
import dev.metering.provider.TokenKind;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.StubServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stripe's credit grant and credit balance transaction webhooks, in Stripe's payloads,
 * posted to one of two instances that share a database (an H2 file): the customer's
 * cached balance is read again at once on the instance that receives one, and within a
 * couple of seconds on the other.
 */
@ExtendWith(OutputCaptureExtension.class)
class StripeCreditWebhookTests {

	static final String API_KEY = "sk_test_51CreditWebhookTestsKeyNeverLogged";

	static final String SECRET = "whsec_CreditEventsDestinationSecretNeverLogged";

	static final String PATH = "/metering/stripe/webhook";

	static final String CUSTOMER = "cus_acme";

	/**
	 * How soon the other instance makes a change: a poll of the database each second, and
	 * room.
	 */
	static final Duration A_COUPLE_OF_SECONDS = Duration.ofSeconds(3);

	static final long BEFORE = Instant.now().minus(Duration.ofDays(1)).getEpochSecond();

	static final MeterDefinition METER = new MeterDefinition("ai-tokens", "ai_tokens", "mtr_ai", TokenKind.TOTAL, null,
			MeterAggregation.SUM, "value");

	static final String PAID = StripeStub.grant("credgr_paid", CUSTOMER, "usd", 1000, BEFORE, null, null);

	static final String TOP_UP = StripeStub.grant("credgr_topup", CUSTOMER, "usd", 500, BEFORE, null, null);

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	@TempDir
	Path directory;

	@Test
	void aCreditGrantCreatedIsReadAgainOnBothInstances() {
		stripeHas(1000, PAID);
		instances((first, second) -> {
			assertThat(remaining(first)).contains(1000L);
			assertThat(remaining(second)).contains(1000L);
			stripeHas(1500, PAID, TOP_UP);
			assertThat(remaining(second)).as("cached").contains(1000L);

			assertThat(deliver(first, event("evt_1QgrantCreated", "billing.credit_grant.created", TOP_UP)))
				.isEqualTo(200);

			assertThat(remaining(first)).as("the instance that received it, at once").contains(1500L);
			await().atMost(A_COUPLE_OF_SECONDS).until(() -> remaining(second).equals(Optional.of(1500L)));
		});
	}

	@Test
	void aCreditBalanceTransactionIsReadAgainThroughItsGrantsCustomer() {
		stripeHas(1000, PAID);
		stripe.stubFor(StripeStub.creditGrant("credgr_paid").willReturn(StripeStub.json(200, PAID)));
		instances((first, second) -> {
			assertThat(remaining(first)).contains(1000L);
			assertThat(remaining(second)).contains(1000L);
			stripeHas(400, PAID);

			assertThat(deliver(second, creditsApplied("evt_1QcreditApplied"))).isEqualTo(200);

			assertThat(remaining(second)).as("the instance that received it, at once").contains(400L);
			await().atMost(A_COUPLE_OF_SECONDS).until(() -> remaining(first).equals(Optional.of(400L)));
		});
	}

	@Test
	void aGrantThatCannotBeReadLeavesTheDeliveryToBeSentAgainAndLogsNoSecret(CapturedOutput output) {
		stripeHas(1000, PAID);
		stripe.stubFor(StripeStub.creditGrant("credgr_paid")
			.willReturn(StripeStub.error(500, "api_error", null, "Something went wrong")));
		instances((first, second) -> {
			assertThat(remaining(first)).contains(1000L);
			stripeHas(400, PAID);

			assertThat(deliver(first, creditsApplied("evt_1QcreditLost"))).isNotEqualTo(200);

			assertThat(remaining(first)).as("still cached").contains(1000L);
		});
		assertThat(output).contains("credgr_paid").doesNotContain(API_KEY).doesNotContain(SECRET);
	}

	/** Stripe answers the grants, with {@code available} cents left of them. */
	private static void stripeHas(long available, String... grants) {
		stripe.stubFor(StripeStub.creditGrants().willReturn(StripeStub.grants(grants)));
		stripe.stubFor(StripeStub.creditBalanceSummary()
			.willReturn(StripeStub.creditBalance(CUSTOMER, "usd", Long.toString(available))));
	}

	private static Optional<Long> remaining(AssertableWebApplicationContext context) {
		return context.getBean(MeterProvider.class).balance(CUSTOMER, METER).map(ProviderBalance::remaining);
	}

	/** A snapshot event of a billing object, as a webhook endpoint receives it. */
	private static String event(String id, String type, String object) {
		return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"2025-11-17.clover\",\"created\":"
				+ Instant.now().getEpochSecond() + ",\"data\":{\"object\":" + object + "},\"livemode\":false,"
				+ "\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" + type
				+ "\"}";
	}

	/**
	 * A {@code billing.credit_balance_transaction.created} event of 600 cents of the paid
	 * grant applied to an invoice, naming the grant by ID as Stripe does.
	 */
	private static String creditsApplied(String eventId) {
		long now = Instant.now().getEpochSecond();
		return event(eventId, "billing.credit_balance_transaction.created",
				"{\"id\":\"cbtxn_test_61RVv7Q4\",\"object\":\"billing.credit_balance_transaction\",\"created\":" + now
						+ ",\"credit\":null,\"credit_grant\":\"credgr_paid\",\"debit\":{\"amount\":{\"monetary\":{"
						+ "\"currency\":\"usd\",\"value\":600},\"type\":\"monetary\"},\"credits_applied\":{"
						+ "\"invoice\":\"in_1QcreditInvoice\",\"invoice_line_item\":\"il_1QcreditLine\"},"
						+ "\"type\":\"credits_applied\"},\"effective_at\":" + now
						+ ",\"livemode\":false,\"test_clock\":null,\"type\":\"debit\"}");
	}

	private static int deliver(AssertableWebApplicationContext context, String payload) throws Exception {
		return StripeStub.deliver(context, PATH, payload, SECRET);
	}

	/** Two instances of the application, on one database. */
	private void instances(TwoInstances test) {
		WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withUserConfiguration(MockMvcConfiguration.class)
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=" + API_KEY,
					"metering.stripe.api-base=" + stripe.baseUrl(),
					"metering.stripe.meter-events-base=" + stripe.baseUrl(), "metering.stripe.webhook.secret=" + SECRET,
					"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
					"metering.meters.ai-tokens.stripe.unit-amount-decimal=1", "metering.jdbc.initialize-schema=always",
					"spring.datasource.url=jdbc:h2:file:" + this.directory.resolve("metering")
							+ ";DB_CLOSE_ON_EXIT=FALSE");
		contextRunner.run((first) -> contextRunner.run((second) -> test.run(first, second)));
	}

	/** A test of two instances. */
	@FunctionalInterface
	private interface TwoInstances {

		void run(AssertableWebApplicationContext first, AssertableWebApplicationContext second) throws Throwable;

	}

}
