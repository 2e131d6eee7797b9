package dev.metering.provider.stripe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.MeteringAdvisor;
import dev.metering.MeteringUnavailableException;
import dev.metering.UsageStatus;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MutableClock;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Plans and periods follow the Stripe subscription (WireMock) as it changes, and calls go
 * on when Stripe is down, as {@code metering.limits.on-lookup-failure} says.
 */
@ExtendWith(OutputCaptureExtension.class)
class StripeSubscriptionsOverTimeTests {

	static final String API_KEY = "sk_test_51SecretKeyThatMustNeverBeLogged";

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

	private static final long PERIOD_START = Instant.parse("2026-11-10T00:00:00Z").getEpochSecond();

	private static final long PERIOD_END = Instant.parse("2026-12-10T00:00:00Z").getEpochSecond();

	private final MutableClock clock = new MutableClock(NOW);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(Clock.class, () -> this.clock)
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=" + API_KEY,
				"metering.stripe.api-base=" + stripe.baseUrl(), "metering.stripe.meter-events-base=" + stripe.baseUrl(),
				"metering.stripe.read-timeout=5s", "metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.meter-id=mtr_ai", "metering.meters.ai-tokens.limit-key=aiTokens",
				"metering.plans.free.limits.aiTokens=1000", "metering.plans.pro.price-ids=price_pro",
				"metering.plans.pro.limits.aiTokens=100000", "metering.accounts.org_acme.customer-id=cus_acme",
				"metering.delivery.flush-interval=1h");

	@BeforeEach
	void reset() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
	}

	@Test
	void aPlanChangedAtStripeAppliesWithinTheSubscriptionsRefreshInterval() {
		stripe.stubFor(StripeStub.subscriptions()
			.withQueryParam("customer", equalTo("cus_acme"))
			.willReturn(StripeStub.noSubscriptions()));
		this.contextRunner.withPropertyValues("metering.cache.subscriptions-refresh=200ms").run((context) -> {
			assertThat(status(context).plan()).isEqualTo("free");
			assertThat(status(context).limit()).isEqualTo(1000);

			stripe.stubFor(StripeStub.subscriptions()
				.withQueryParam("customer", equalTo("cus_acme"))
				.willReturn(StripeStub.activeSubscription("cus_acme", "price_pro", PERIOD_START, PERIOD_END)));

			await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
				UsageStatus upgraded = status(context);
				assertThat(upgraded.plan()).isEqualTo("pro");
				assertThat(upgraded.limit()).isEqualTo(100000);
				assertThat(upgraded.periodStart()).isEqualTo(Instant.ofEpochSecond(PERIOD_START));
				assertThat(upgraded.periodEnd()).isEqualTo(Instant.ofEpochSecond(PERIOD_END));
			});
		});
	}

	@ParameterizedTest(name = "{0} to {1}, seen at {2}: {3} to {4}")
	@CsvSource({
			"2026-11-10T00:00:00Z, 2026-12-10T00:00:00Z, 2026-12-10T00:00:01Z, 2026-12-10T00:00:00Z, 2027-01-10T00:00:00Z",
			"2027-01-31T00:00:00Z, 2027-02-28T00:00:00Z, 2027-03-05T00:00:00Z, 2027-02-28T00:00:00Z, 2027-03-31T00:00:00Z",
			"2027-02-28T00:00:00Z, 2027-03-31T00:00:00Z, 2027-04-05T00:00:00Z, 2027-03-31T00:00:00Z, 2027-04-30T00:00:00Z",
			"2026-11-10T09:30:00Z, 2027-11-10T09:30:00Z, 2027-11-11T00:00:00Z, 2027-11-10T09:30:00Z, 2028-11-10T09:30:00Z",
			"2026-11-02T00:00:00Z, 2026-11-09T00:00:00Z, 2026-11-20T00:00:00Z, 2026-11-16T00:00:00Z, 2026-11-23T00:00:00Z" })
	void aCachedPeriodThatHasEndedRollsOverOnTheSubscriptionsCycleUntilStripeIsAskedAgain(Instant start, Instant end,
			Instant seenAt, Instant renewedStart, Instant renewedEnd) {
		this.clock.set(start.plusSeconds(60));
		stripe.stubFor(StripeStub.subscriptions()
			.withQueryParam("customer", equalTo("cus_acme"))
			.willReturn(StripeStub.activeSubscription("cus_acme", "price_pro", start.getEpochSecond(),
					end.getEpochSecond())));
		this.contextRunner.run((context) -> {
			assertThat(status(context).periodEnd()).isEqualTo(end);

			this.clock.set(seenAt);
			UsageStatus renewed = status(context);

			assertThat(renewed.periodStart()).isEqualTo(renewedStart);
			assertThat(renewed.periodEnd()).isEqualTo(renewedEnd);
			assertThat(renewed.plan()).isEqualTo("pro");
		});
	}

	@Test
	void anOutageAtStartUpLetsCallsGoOnOnTheDefaultPlanAndCalendarMonthAndCountsIt(CapturedOutput output) {
		stripe.stubFor(StripeStub.subscriptions().willReturn(StripeStub.error(500, "api_error", null, "Down")));
		stripe.stubFor(StripeStub.customerSearch().willReturn(StripeStub.error(500, "api_error", null, "Down")));
		this.contextRunner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);

			assertThat(ask(chat, "org_acme")).isEqualTo("ok");
			assertThat(ask(chat, "org_unknown")).as("a customer Stripe could not find").isEqualTo("ok");

			assertThat(model.calls()).isEqualTo(2);
			UsageStatus acme = status(context);
			assertThat(acme.plan()).isEqualTo("free");
			assertThat(acme.used()).isEqualTo(30);
			assertThat(acme.periodStart()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
			assertThat(acme.periodEnd()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
			SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
			assertThat(registry.counter("metering.lookups.failed", "lookup", "subscription").count()).isPositive();
			assertThat(registry.counter("metering.lookups.failed", "lookup", "customer").count()).isPositive();
			assertThat(output).contains("Could not read the subscription of cus_acme at Stripe: 500")
				.contains("going on with the default plan 'free' for 'org_acme'")
				.contains("Could not find the customer of 'org_unknown' at Stripe: 500")
				.doesNotContain(API_KEY);
		});
	}

	@Test
	void anOutageAtStartUpFailsCallsWithStripesErrorWhenTheyAreToBeRejected() {
		stripe.stubFor(StripeStub.subscriptions().willReturn(StripeStub.error(500, "api_error", null, "Down")));
		this.contextRunner.withPropertyValues("metering.limits.on-lookup-failure=reject").run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);

			assertThatExceptionOfType(MeteringUnavailableException.class).isThrownBy(() -> ask(chat, "org_acme"))
				.satisfies((ex) -> assertThat(ex.retryAfter()).isEqualTo(Duration.ofSeconds(10)))
				.havingCause()
				.isInstanceOf(StripeProviderException.class)
				.withMessage("Could not read the subscription of cus_acme at Stripe: 500 http_500: Down");
			assertThat(model.calls()).isZero();
			assertThat(context.getBean(SimpleMeterRegistry.class).find("metering.lookups.failed").counters()).isEmpty();
		});
	}

	private static UsageStatus status(AssertableApplicationContext context) {
		return context.getBean(BillingClient.class).getUsageStatus("org_acme", "aiTokens");
	}

	private static ChatClient chatClient(AssertableApplicationContext context, FixedUsageChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	private static String ask(ChatClient chat, String organization) {
		return chat.prompt("hello")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

}
