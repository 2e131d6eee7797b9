package dev.metering.provider.stripe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.MeterUnit;
import dev.metering.provider.ProviderBalance;
import dev.metering.provider.TokenKind;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MutableClock;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Prepaid balances read from Stripe's billing credit grants and credit balance summary
 * (WireMock speaking Stripe's wire format, through stripe-java), which Stripe keeps in
 * money, converted into the meter's unit with its price and rounded down.
 */
@ExtendWith(OutputCaptureExtension.class)
class StripeBalanceTests {

	static final String API_KEY = "sk_test_51BalanceTestsKeyThatMustNeverBeLogged";

	static final String CUSTOMER = "cus_acme";

	static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

	static final long BEFORE = NOW.minus(Duration.ofDays(9)).getEpochSecond();

	static final long SOON = NOW.plus(Duration.ofDays(2)).getEpochSecond();

	static final long LATER = NOW.plus(Duration.ofDays(60)).getEpochSecond();

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	private final MutableClock clock = new MutableClock(NOW);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=" + API_KEY,
				"metering.stripe.api-base=" + stripe.baseUrl(), "metering.stripe.meter-events-base=" + stripe.baseUrl(),
				"metering.stripe.read-timeout=5s", "metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.meter-id=mtr_ai", "metering.delivery.flush-interval=1h");

	@Test
	void theBalanceIsTheAvailableMeteredGrantsInTheMetersCurrencyConvertedWithItsPrice() {
		stripe.stubFor(StripeStub.creditGrants()
			.withQueryParam("customer", equalTo(CUSTOMER))
			.willReturn(StripeStub.grants(StripeStub.grant("credgr_paid", CUSTOMER, "usd", 1000, BEFORE, LATER, null),
					StripeStub.grant("credgr_promo", CUSTOMER, "usd", 500, BEFORE, SOON, null),
					StripeStub.grant("credgr_forever", CUSTOMER, "usd", 200, BEFORE, null, null),
					StripeStub.grant("credgr_euro", CUSTOMER, "eur", 9000, BEFORE, LATER, null),
					StripeStub.grant("credgr_voided", CUSTOMER, "usd", 7000, BEFORE, LATER, BEFORE + 60),
					StripeStub.grant("credgr_expired", CUSTOMER, "usd", 7000, BEFORE - 60, BEFORE, null),
					StripeStub.grant("credgr_next_month", CUSTOMER, "usd", 7000, SOON, null, null),
					StripeStub.grant("credgr_one_price", CUSTOMER, "usd", 7000,
							"{\"prices\":[{\"id\":\"price_other\"}]}", BEFORE, null, null))));
		stripe.stubFor(StripeStub.creditBalanceSummary()
			.withQueryParam("customer", equalTo(CUSTOMER))
			.willReturn(StripeStub.creditBalance(CUSTOMER, "usd", "1234", "eur", "8000")));
		this.contextRunner
			.withPropertyValues("metering.meters.ai-tokens.stripe.unit-amount-decimal=0.3",
					"metering.meters.ai-tokens.stripe.currency=USD")
			.run((context) -> assertThat(balance(context))
				// 1700 and 1234 cents at 0.3 cents a token, rounded down
				.contains(new ProviderBalance(CUSTOMER, "tokens", 5666, 4113, Instant.ofEpochSecond(SOON))));
		assertThat(stripe.findAll(getRequestedFor(urlPathEqualTo("/v1/billing/credit_balance_summary"))))
			.singleElement()
			.satisfies((request) -> {
				assertThat(request.queryParameter("filter[type]").firstValue()).isEqualTo("applicability_scope");
				assertThat(request.queryParameter("filter[applicability_scope][price_type]").firstValue())
					.isEqualTo("metered");
				assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + API_KEY);
			});
	}

	@Test
	void aBalanceThatCannotPayAWholeUnitHoldsNone() {
		stripe.stubFor(StripeStub.creditGrants()
			.willReturn(StripeStub.grants(StripeStub.grant("credgr_paid", CUSTOMER, "usd", 100, BEFORE, null, null))));
		stripe.stubFor(StripeStub.creditBalanceSummary().willReturn(StripeStub.creditBalance(CUSTOMER, "usd", "6")));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.stripe.unit-amount-decimal=7")
			.run((context) -> assertThat(balance(context, MeterUnit.CREDITS))
				.contains(new ProviderBalance(CUSTOMER, "credits", 14, 0, null)));
	}

	@Test
	void aGrantThatExpiresWhileCachedLeavesTheBalanceAtItsExpiry() {
		stripe.stubFor(StripeStub.creditGrants()
			.willReturn(StripeStub.grants(StripeStub.grant("credgr_paid", CUSTOMER, "usd", 300, BEFORE, LATER, null),
					StripeStub.grant("credgr_promo", CUSTOMER, "usd", 500, BEFORE, SOON, null))));
		stripe.stubFor(StripeStub.creditBalanceSummary().willReturn(StripeStub.creditBalance(CUSTOMER, "usd", "650")));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.stripe.unit-amount-decimal=1")
			.run((context) -> {
				assertThat(balance(context))
					.contains(new ProviderBalance(CUSTOMER, "tokens", 800, 650, Instant.ofEpochSecond(SOON)));
				this.clock.set(Instant.ofEpochSecond(SOON));
				assertThat(balance(context)).as("what is left of the paid grant at most")
					.contains(new ProviderBalance(CUSTOMER, "tokens", 300, 300, Instant.ofEpochSecond(LATER)));
			});
		assertThat(stripe.findAll(getRequestedFor(urlPathEqualTo("/v1/billing/credit_grants")))).as("cached")
			.hasSize(1);
	}

	@Test
	void withoutAConfiguredAmountThePricePerUnitTheMeterNamesIsReadOnceWithItsCurrency() {
		stripe.stubFor(StripeStub.price("price_tokens")
			.willReturn(StripeStub.meteredPrice("price_tokens", "mtr_ai", "eur", "per_unit", "0.25")));
		stripe.stubFor(StripeStub.creditGrants()
			.willReturn(StripeStub.grants(StripeStub.grant("credgr_usd", CUSTOMER, "usd", 5000, BEFORE, null, null),
					StripeStub.grant("credgr_eur", CUSTOMER, "eur", 1001, BEFORE, null, null))));
		stripe.stubFor(StripeStub.creditBalanceSummary()
			.willReturn(StripeStub.creditBalance(CUSTOMER, "usd", "5000", "eur", "999")));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.stripe.price-id=price_tokens")
			.run((context) -> {
				assertThat(balance(context)).contains(new ProviderBalance(CUSTOMER, "tokens", 4004, 3996, null));
				assertThat(balance(context)).contains(new ProviderBalance(CUSTOMER, "tokens", 4004, 3996, null));
			});
		assertThat(stripe.findAll(getRequestedFor(urlPathEqualTo("/v1/prices/price_tokens")))).hasSize(1);
	}

	@Test
	void aPriceNotChargedPerUnitSaysWhichPropertyToSet() {
		stripe.stubFor(StripeStub.price("price_tiered")
			.willReturn(StripeStub.meteredPrice("price_tiered", "mtr_ai", "usd", "tiered", null)));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.stripe.price-id=price_tiered")
			.run((context) -> assertThatIllegalStateException().isThrownBy(() -> balance(context))
				.withMessage("Stripe price price_tiered of meter 'ai-tokens' has no amount per unit to convert its "
						+ "balance with: set metering.meters.ai-tokens.stripe.unit-amount-decimal to the price of "
						+ "one unit in the currency's smallest unit"));
	}

	@Test
	void withoutACurrencyTheGrantsMustAllBeInOne() {
		stripe.stubFor(StripeStub.creditGrants()
			.willReturn(StripeStub.grants(StripeStub.grant("credgr_usd", CUSTOMER, "usd", 100, BEFORE, null, null),
					StripeStub.grant("credgr_eur", CUSTOMER, "eur", 100, BEFORE, null, null))));
		stripe.stubFor(StripeStub.creditBalanceSummary()
			.willReturn(StripeStub.creditBalance(CUSTOMER, "usd", "100", "eur", "100")));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.stripe.unit-amount-decimal=0.5")
			.run((context) -> assertThatIllegalStateException().isThrownBy(() -> balance(context))
				.withMessage("The credit grants of Stripe customer cus_acme are in several currencies [eur, usd]: "
						+ "set metering.meters.ai-tokens.stripe.currency to the currency of the meter's price"));
	}

	@Test
	void aCustomerWithoutGrantsHasNoBalance() {
		stripe.stubFor(StripeStub.creditGrants().willReturn(StripeStub.grants()));
		stripe.stubFor(StripeStub.creditBalanceSummary().willReturn(StripeStub.creditBalance(CUSTOMER)));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.stripe.unit-amount-decimal=0.5")
			.run((context) -> assertThat(balance(context)).isEmpty());
	}

	@Test
	void aMeterWithoutAPriceSaysWhichPropertyToSetAndAsksStripeNothing() {
		this.contextRunner.run((context) -> assertThatIllegalStateException().isThrownBy(() -> balance(context))
			.withMessage("Stripe keeps the balance of meter 'ai-tokens' in money: set "
					+ "metering.meters.ai-tokens.stripe.unit-amount-decimal to the price of one of its tokens "
					+ "in the currency's smallest unit, or metering.meters.ai-tokens.stripe.price-id to its "
					+ "Stripe price"));
		assertThat(stripe.findAll(anyRequestedFor(anyUrl()))).isEmpty();
	}

	@Test
	void aFailedReadSaysWhatWasAskedWithoutTheKey(CapturedOutput output) {
		stripe.stubFor(
				StripeStub.creditGrants().willReturn(StripeStub.error(500, "api_error", null, "Something went wrong")));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.stripe.unit-amount-decimal=0.5")
			.run((context) -> assertThatExceptionOfType(StripeProviderException.class)
				.isThrownBy(() -> balance(context))
				.satisfies((ex) -> assertThat(ex.getMessage())
					.startsWith("Could not read the credit grants of cus_acme at Stripe: ")
					.doesNotContain(API_KEY)));
		assertThat(output).doesNotContain(API_KEY);
	}

	private static Optional<ProviderBalance> balance(AssertableApplicationContext context) {
		return balance(context, MeterUnit.TOKENS);
	}

	private static Optional<ProviderBalance> balance(AssertableApplicationContext context, MeterUnit unit) {
		MeterDefinition meter = new MeterDefinition("ai-tokens", "ai_tokens", "mtr_ai", TokenKind.TOTAL, null,
				MeterAggregation.SUM, "value", unit, List.of());
		return context.getBean(MeterProvider.class).balance(CUSTOMER, meter);
	}

}
