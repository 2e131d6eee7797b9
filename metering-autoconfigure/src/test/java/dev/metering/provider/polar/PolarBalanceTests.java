package dev.metering.provider.polar;

import java.time.Instant;
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
import dev.metering.provider.ProviderBalance;
import dev.metering.provider.ProviderLookupException;
import dev.metering.provider.TokenKind;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The prepaid balances the Polar provider reads from a WireMock server speaking Polar's
 * wire format: the credits of the customer's meter, until the end of its subscription's
 * period.
 */
@ExtendWith(OutputCaptureExtension.class)
class PolarBalanceTests {

	static final String TOKEN = "polar_oat_BalanceTokenThatMustNeverBeLogged";

	static final String METER_ID = "0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01";

	static final String OTHER_METER_ID = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";

	static final String PRO_PRODUCT = "8d2f7c1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";

	static final String POLAR_CUSTOMER = "5c9e1f2a-7b3d-4e6f-8a9b-0c1d2e3f4a5b";

	static final String CUSTOMER_METERS = "/v1/customer-meters";

	@RegisterExtension
	static final StubServer polar = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=polar", "metering.polar.access-token=" + TOKEN,
				"metering.polar.base-url=" + polar.baseUrl(), "metering.polar.read-timeout=5s",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=" + METER_ID,
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
				"metering.plans.pro.polar-product-ids=" + PRO_PRODUCT, "metering.plans.pro.limits.aiTokens=100000",
				"metering.delivery.flush-interval=1h");

	@Test
	void theBalanceIsTheMetersCreditsAndWhatIsLeftOfThemUntilTheSubscriptionsPeriodEnds() {
		String periodEnd = "2026-03-03T00:00:00Z";
		subscribed("org_acme", periodEnd);
		polar
			.stubFor(PolarStub.customerMeters()
				.willReturn(PolarStub.customerMetersPage(1,
						PolarStub.customerMeter(POLAR_CUSTOMER, METER_ID, 10000, 2500.6),
						PolarStub.customerMeter(POLAR_CUSTOMER, OTHER_METER_ID, 500, 0))));
		this.contextRunner.run((context) -> {
			ProviderBalance expected = new ProviderBalance("org_acme", "units", 10000, 7499, Instant.parse(periodEnd));
			assertThat(balance(context, "org_acme")).contains(expected);
			assertThat(balance(context, "org_acme")).as("cached").contains(expected);
		});
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo(CUSTOMER_METERS)))).singleElement()
			.satisfies((request) -> {
				assertThat(request.queryParameter("external_customer_id").firstValue()).isEqualTo("org_acme");
				assertThat(request.queryParameter("page").firstValue()).isEqualTo("1");
				assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
			});
	}

	@Test
	void withoutASubscriptionTheCreditsDoNotEndAndEveryPageIsRead() {
		polar.stubFor(PolarStub.state(POLAR_CUSTOMER).willReturn(PolarStub.stateWithoutSubscription(POLAR_CUSTOMER)));
		polar.stubFor(PolarStub.customerMeters()
			.withQueryParam("page", equalTo("1"))
			.willReturn(
					PolarStub.customerMetersPage(2, PolarStub.customerMeter(POLAR_CUSTOMER, OTHER_METER_ID, 50, 1))));
		polar.stubFor(PolarStub.customerMeters()
			.withQueryParam("page", equalTo("2"))
			.willReturn(PolarStub.customerMetersPage(2, PolarStub.customerMeter(POLAR_CUSTOMER, METER_ID, 3000, 0))));
		this.contextRunner.run((context) -> assertThat(balance(context, POLAR_CUSTOMER))
			.contains(new ProviderBalance(POLAR_CUSTOMER, "units", 3000, 3000, null)));
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo(CUSTOMER_METERS)))).allSatisfy(
				(request) -> assertThat(request.queryParameter("customer_id").firstValue()).isEqualTo(POLAR_CUSTOMER))
			.hasSize(2);
	}

	@Test
	void aCustomerWithoutCreditsOnTheMeterHasNoBalance() {
		polar.stubFor(PolarStub.customerMeters()
			.withQueryParam("external_customer_id", equalTo("org_none"))
			.willReturn(PolarStub.customerMetersPage(1)));
		polar.stubFor(PolarStub.customerMeters()
			.withQueryParam("external_customer_id", equalTo("org_postpaid"))
			.willReturn(PolarStub.customerMetersPage(1, PolarStub.customerMeter("org_postpaid", METER_ID, 0, 420),
					PolarStub.customerMeter("org_postpaid", OTHER_METER_ID, 500, 0))));
		this.contextRunner.run((context) -> {
			assertThat(balance(context, "org_none")).isEmpty();
			assertThat(balance(context, "org_postpaid")).as("usage only, credits on another meter").isEmpty();
		});
	}

	@Test
	void aBalanceOverdrawnByUsageLeavesNothing() {
		subscribed("org_acme", "2026-03-03T00:00:00Z");
		polar.stubFor(PolarStub.customerMeters()
			.willReturn(
					PolarStub.customerMetersPage(1, PolarStub.customerMeter(POLAR_CUSTOMER, METER_ID, 1000, 1200.5))));
		this.contextRunner.run((context) -> assertThat(balance(context, "org_acme")).hasValueSatisfying((balance) -> {
			assertThat(balance.granted()).isEqualTo(1000);
			assertThat(balance.remaining()).isZero();
		}));
	}

	@Test
	void aServerErrorFailsTheReadAsPassingWithoutTheToken(CapturedOutput output) {
		polar.stubFor(PolarStub.customerMeters()
			.willReturn(PolarStub.error(503, "ServiceUnavailable", "Unavailable while serving " + TOKEN)));
		this.contextRunner.run((context) -> {
			assertThatExceptionOfType(PolarProviderException.class).isThrownBy(() -> balance(context, "org_acme"))
				.withMessage("Could not read the meter credits of org_acme at Polar: "
						+ "503 ServiceUnavailable: Unavailable while serving polar_oat_******")
				.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(ProviderLookupException.Kind.PASSING));
			assertThatExceptionOfType(PolarProviderException.class).as("the failure, remembered")
				.isThrownBy(() -> balance(context, "org_acme"));
		});
		assertThat(polar.findAll(getRequestedFor(urlPathEqualTo(CUSTOMER_METERS)))).hasSize(1);
		assertThat(output).doesNotContain(TOKEN);
	}

	@Test
	void theBalanceWantsAPolarMeterId() {
		this.contextRunner.run((context) -> {
			MeterDefinition meter = new MeterDefinition("ai-tokens", "ai_tokens", "mtr_stripe", TokenKind.TOTAL,
					"aiTokens", MeterAggregation.SUM, "value");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> context.getBean(MeterProvider.class).balance("org_acme", meter))
				.withMessageContaining("metering.meters.ai-tokens.meter-id");
		});
	}

	private static void subscribed(String externalId, String periodEnd) {
		polar.stubFor(PolarStub.stateByExternalId(externalId)
			.willReturn(
					PolarStub.stateWithSubscription(POLAR_CUSTOMER, PRO_PRODUCT, "2026-02-03T00:00:00Z", periodEnd)));
	}

	static Optional<ProviderBalance> balance(AssertableApplicationContext context, String customerId) {
		MeterDefinition meter = new MeterDefinition("ai-tokens", "ai_tokens", METER_ID, TokenKind.TOTAL, "aiTokens",
				MeterAggregation.SUM, "value");
		return context.getBean(MeterProvider.class).balance(customerId, meter);
	}

}
