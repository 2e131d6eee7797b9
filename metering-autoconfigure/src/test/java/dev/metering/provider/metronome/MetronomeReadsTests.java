package dev.metering.provider.metronome;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import com.github.tomakehurst.wiremock.matching.StringValuePattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
import dev.metering.UsageStatus;
import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderBalance;
import dev.metering.provider.ProviderLookupException;
import dev.metering.provider.TokenKind;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What the Metronome provider reads from a WireMock server speaking Metronome's wire
 * format: usage from the usage query, customers by ingest alias, plans and periods from
 * contracts, and prepaid balances from commits and credits.
 */
class MetronomeReadsTests {

	static final String TOKEN = "mtr-api-ReadsTokenThatMustNeverBeShown";

	static final String METRIC_ID = "0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01";

	static final String CUSTOMER = "5c9e1f2a-7b3d-4e6f-8a9b-0c1d2e3f4a5b";

	static final String PRO_RATE_CARD = "8d2f7c1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";

	static final String TEAM_PRODUCT = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b";

	static final String USD = "2714e483-4ff1-48e4-9e25-ac732e8f24f2";

	static final String AI_CREDITS = "6b1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

	@RegisterExtension
	static final StubServer metronome = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=" + TOKEN,
				"metering.metronome.base-url=" + metronome.baseUrl(), "metering.metronome.read-timeout=5s",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=" + METRIC_ID,
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
				"metering.plans.pro.metronome-rate-card-ids=" + PRO_RATE_CARD,
				"metering.plans.pro.price-ids=price_not_metronome", "metering.plans.pro.limits.aiTokens=100000",
				"metering.plans.team.metronome-product-ids=" + TEAM_PRODUCT,
				"metering.plans.team.limits.aiTokens=500000", "metering.delivery.flush-interval=1h");

	@Test
	void usageOverARangeIsOneQueryOfTheRangeWidenedToWholeHours() {
		metronome.stubFor(MetronomeStub.usage()
			.willReturn(MetronomeStub.usageOf(CUSTOMER, METRIC_ID, "PT3H", "2026-01-01T09:00:00Z", 42.4)));
		Instant start = Instant.parse("2026-01-01T09:15:00Z");
		Instant end = Instant.parse("2026-01-01T11:30:00Z");
		this.contextRunner
			.run((context) -> assertThat(context.getBean(BillingClient.class).getUsage(METRIC_ID, CUSTOMER, start, end))
				.containsExactly(new MeterUsageSummary(METRIC_ID, CUSTOMER, 42, Instant.parse("2026-01-01T09:00:00Z"),
						Instant.parse("2026-01-01T12:00:00Z"))));
		JsonNode query = MetronomeStub
			.body(metronome.findAll(postRequestedFor(urlPathEqualTo(MetronomeStub.USAGE))).get(0));
		assertThat(query.path("starting_on").asString()).isEqualTo("2026-01-01T09:00:00Z");
		assertThat(query.path("ending_before").asString()).isEqualTo("2026-01-01T12:00:00Z");
		assertThat(query.path("window_size").asString()).isEqualTo("NONE");
		assertThat(query.path("customer_ids").get(0).asString()).isEqualTo(CUSTOMER);
		assertThat(query.path("billable_metrics").get(0).path("id").asString()).isEqualTo(METRIC_ID);
	}

	@Test
	void dailyUsageIsOneAggregatePerDayWithTheDaysMetronomeLeftOutAtZero() {
		Instant day1 = Instant.parse("2026-01-01T00:00:00Z");
		Instant day2 = Instant.parse("2026-01-02T00:00:00Z");
		Instant day3 = Instant.parse("2026-01-03T00:00:00Z");
		Instant end = Instant.parse("2026-01-04T00:00:00Z");
		metronome.stubFor(MetronomeStub.usage()
			.willReturn(MetronomeStub.usageOf(CUSTOMER, METRIC_ID, "P1D", day1.toString(), 20.6, day3.toString(), 7)));
		this.contextRunner.run((context) -> assertThat(
				context.getBean(BillingClient.class).getUsage(METRIC_ID, CUSTOMER, day1, end, Duration.ofDays(1)))
			.containsExactly(new MeterUsageSummary(METRIC_ID, CUSTOMER, 21, day1, day2),
					new MeterUsageSummary(METRIC_ID, CUSTOMER, 0, day2, day3),
					new MeterUsageSummary(METRIC_ID, CUSTOMER, 7, day3, end)));
		assertThat(MetronomeStub.body(metronome.findAll(postRequestedFor(urlPathEqualTo(MetronomeStub.USAGE))).get(0))
			.path("window_size")
			.asString()).isEqualTo("DAY");
	}

	@Test
	void usageFollowsEveryPageMetronomeAnswers() {
		metronome
			.stubFor(MetronomeStub.usage()
				.withQueryParam("next_page", absent())
				.willReturn(MetronomeStub.json(200, "{\"data\":[{\"customer_id\":\"" + CUSTOMER
						+ "\",\"billable_metric_id\":\"" + METRIC_ID + "\",\"billable_metric_name\":\"AI tokens\","
						+ "\"start_timestamp\":\"2026-01-01T00:00:00Z\",\"end_timestamp\":\"2026-01-01T01:00:00Z\","
						+ "\"value\":3}],\"next_page\":\"cursor_2\"}")));
		metronome.stubFor(MetronomeStub.usage()
			.withQueryParam("next_page", equalTo("cursor_2"))
			.willReturn(MetronomeStub.usageOf(CUSTOMER, METRIC_ID, "PT1H", "2026-01-01T01:00:00Z", 4)));
		Instant start = Instant.parse("2026-01-01T00:00:00Z");
		this.contextRunner.run((context) -> assertThat(context.getBean(BillingClient.class)
			.getUsage(METRIC_ID, CUSTOMER, start, start.plus(Duration.ofHours(2)), Duration.ofHours(1)))
			.extracting(MeterUsageSummary::aggregatedValue)
			.containsExactly(3L, 4L));
	}

	@Test
	void usageOfAnIngestAliasIsReadForTheCustomerWithThatAlias() {
		metronome.stubFor(MetronomeStub.customerByAlias("org_acme")
			.willReturn(MetronomeStub.customersWith(CUSTOMER, "org_acme")));
		metronome.stubFor(MetronomeStub.customerByAlias("org_none").willReturn(MetronomeStub.noCustomers()));
		metronome.stubFor(MetronomeStub.usage()
			.willReturn(MetronomeStub.usageOf(CUSTOMER, METRIC_ID, "PT1H", "2026-01-01T00:00:00Z", 5)));
		Instant start = Instant.parse("2026-01-01T00:00:00Z");
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getUsage(METRIC_ID, "org_acme", start, start.plus(Duration.ofHours(1)))).singleElement()
				.satisfies((summary) -> {
					assertThat(summary.customerId()).isEqualTo("org_acme");
					assertThat(summary.aggregatedValue()).isEqualTo(5);
				});
			assertThatExceptionOfType(MetronomeProviderException.class)
				.isThrownBy(() -> billing.getUsage(METRIC_ID, "org_none", start, start.plus(Duration.ofHours(1))))
				.withMessageContaining("no customer has the ingest alias 'org_none'")
				.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(ProviderLookupException.Kind.REQUEST_REFUSED));
		});
		assertThat(MetronomeStub.body(metronome.findAll(postRequestedFor(urlPathEqualTo(MetronomeStub.USAGE))).get(0))
			.path("customer_ids")
			.get(0)
			.asString()).isEqualTo(CUSTOMER);
	}

	@Test
	void usageWantsABillableMetricIdAndBothBounds() {
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.meter-id=mtr_stripe").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThatIllegalArgumentException()
				.isThrownBy(() -> billing.getUsage("mtr_stripe", CUSTOMER, Instant.EPOCH, Instant.now()))
				.withMessageContaining("metering.meters.ai-tokens.meter-id");
		});
		this.contextRunner.run((context) -> assertThatIllegalArgumentException()
			.isThrownBy(() -> context.getBean(BillingClient.class).getUsage(METRIC_ID, CUSTOMER, null, null))
			.withMessageContaining("needs both a start and an end"));
	}

	@Test
	void customersAreFoundByIngestAliasAndAbsenceIsNoError() {
		metronome.stubFor(MetronomeStub.customerByAlias("org_new")
			.willReturn(MetronomeStub.customersWith(CUSTOMER, "org_new", "billing@new.example")));
		metronome.stubFor(MetronomeStub.customerByAlias("org_none").willReturn(MetronomeStub.noCustomers()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getCustomerId(BillingSubject.organization("org_new"))).contains(CUSTOMER);
			assertThat(billing.getCustomerId(BillingSubject.organization("org_none"))).isEmpty();
			assertThat(billing.getCustomerId(BillingSubject.organization("org_new"))).contains(CUSTOMER);
		});
		assertThat(metronome.findAll(getRequestedFor(urlPathEqualTo("/v1/customers")))).as("cached").hasSize(2);
	}

	@Test
	void thePlanComesFromTheContractsRateCardOrSubscribedProductAndThePeriodFromItsStatements() {
		Instant now = Instant.now();
		Instant anchor = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(400));
		String startingAt = anchor.toString();
		metronome.stubFor(MetronomeStub.contracts()
			.withRequestBody(containingCustomer(CUSTOMER))
			.willReturn(MetronomeStub.contractsOf(
					MetronomeStub.contract(CUSTOMER, PRO_RATE_CARD, startingAt, anchor.toString(), "MONTHLY"))));
		String teamCustomer = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
		metronome.stubFor(MetronomeStub.contracts()
			.withRequestBody(containingCustomer(teamCustomer))
			.willReturn(MetronomeStub.contractsOf(MetronomeStub.contract(teamCustomer,
					"00000000-0000-4000-8000-000000000000", startingAt, anchor.toString(), "WEEKLY", TEAM_PRODUCT))));
		metronome.stubFor(MetronomeStub.customerByAlias("org_free")
			.willReturn(MetronomeStub.customersWith("1dd86915-97f1-4d92-8fa6-763c0235093a", "org_free")));
		metronome.stubFor(MetronomeStub.contracts().atPriority(10).willReturn(MetronomeStub.contractsOf()));
		this.contextRunner
			.withPropertyValues("metering.accounts.org_pro.customer-id=" + CUSTOMER,
					"metering.accounts.org_team.customer-id=" + teamCustomer,
					"metering.accounts.org_free.customer-id=org_free")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				assertThat(billing.getPlanLimits("org_pro").plan()).isEqualTo("pro");
				assertThat(billing.getPlanLimits("org_team").plan()).isEqualTo("team");
				assertThat(billing.getPlanLimits("org_free").plan()).isEqualTo("free");
				UsageStatus status = billing.getUsageStatus("org_pro", "aiTokens");
				assertThat(status.periodStart()).isBeforeOrEqualTo(now).isAfter(now.minus(Duration.ofDays(32)));
				assertThat(status.periodEnd()).isAfter(now);
				assertThat(status.periodStart().atZone(ZoneOffset.UTC).getDayOfMonth())
					.isEqualTo(Math.min(anchor.atZone(ZoneOffset.UTC).getDayOfMonth(),
							status.periodStart().atZone(ZoneOffset.UTC).toLocalDate().lengthOfMonth()));
				UsageStatus team = billing.getUsageStatus("org_team", "aiTokens");
				assertThat(Duration.between(team.periodStart(), team.periodEnd())).isEqualTo(Duration.ofDays(7));
			});
		JsonNode query = MetronomeStub.body(metronome
			.findAll(
					postRequestedFor(urlEqualTo(MetronomeStub.CONTRACTS)).withRequestBody(containingCustomer(CUSTOMER)))
			.get(0));
		assertThat(Instant.parse(query.path("covering_date").asString())).isBetween(now.minusSeconds(1), Instant.now());
	}

	@Test
	void theBalanceIsWhatIsLeftOfThePrepaidCommitsAndCreditsOfTheMetersCreditType() {
		Instant now = Instant.now();
		String from = now.minus(Duration.ofDays(10)).toString();
		String soon = now.plus(Duration.ofDays(5)).truncatedTo(ChronoUnit.SECONDS).toString();
		String later = now.plus(Duration.ofDays(20)).toString();
		metronome.stubFor(MetronomeStub.balances()
			.willReturn(MetronomeStub.balancesOf(
					MetronomeStub.balance("PREPAID", AI_CREDITS, "AI credits", 100000, 61234.9, from, later),
					MetronomeStub.balance("CREDIT", AI_CREDITS, "AI credits", 5000, 5000, from, soon),
					MetronomeStub.balance("POSTPAID", AI_CREDITS, "AI credits", 900000, 900000, from, later),
					MetronomeStub.balance("PREPAID", USD, "USD (cents)", 20000, 1500, from, later))));
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.metronome.credit-type-id=" + AI_CREDITS)
			.run((context) -> assertThat(balance(context, CUSTOMER))
				.contains(new ProviderBalance(CUSTOMER, "AI credits", 105000, 66234, Instant.parse(soon))));
		JsonNode query = MetronomeStub
			.body(metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.BALANCES))).get(0));
		assertThat(query.path("customer_id").asString()).isEqualTo(CUSTOMER);
		assertThat(query.path("include_balance").asBoolean()).isTrue();
		assertThat(query.path("include_contract_balances").asBoolean()).isTrue();
	}

	@Test
	void withoutACreditTypeTheBalancesMustAllBeOfOne() {
		Instant now = Instant.now();
		String from = now.minus(Duration.ofDays(1)).toString();
		String later = now.plus(Duration.ofDays(20)).toString();
		metronome.stubFor(MetronomeStub.balances()
			.willReturn(MetronomeStub.balancesOf(
					MetronomeStub.balance("PREPAID", AI_CREDITS, "AI credits", 100, 40, from, later),
					MetronomeStub.balance("PREPAID", USD, "USD (cents)", 20000, 1500, from, later))));
		this.contextRunner
			.run((context) -> assertThatIllegalStateException().isThrownBy(() -> balance(context, CUSTOMER))
				.withMessageContaining("metering.meters.ai-tokens.metronome.credit-type-id"));
	}

	@Test
	void aCustomerWithoutPrepaidBalancesHasNone() {
		metronome.stubFor(MetronomeStub.balances().willReturn(MetronomeStub.balancesOf()));
		this.contextRunner.run((context) -> assertThat(balance(context, CUSTOMER)).isEmpty());
	}

	@Test
	void aFailedReadSaysWhatWasAskedWithoutTheToken() {
		metronome.stubFor(MetronomeStub.customerByAlias("org_x")
			.willReturn(MetronomeStub.error(500, "Internal error while serving " + TOKEN)));
		this.contextRunner.run((context) -> assertThatExceptionOfType(MetronomeProviderException.class)
			.isThrownBy(() -> context.getBean(BillingClient.class).getCustomerId(BillingSubject.organization("org_x")))
			.withMessage("Could not find the customer of 'org_x' at Metronome: "
					+ "500: Internal error while serving ******")
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(ProviderLookupException.Kind.PASSING)));
	}

	private static Optional<ProviderBalance> balance(AssertableApplicationContext context, String customerId) {
		MeterDefinition meter = new MeterDefinition("ai-tokens", "ai_tokens", METRIC_ID, TokenKind.TOTAL, "aiTokens",
				MeterAggregation.SUM, "value");
		return context.getBean(MeterProvider.class).balance(customerId, meter);
	}

	private static StringValuePattern containingCustomer(String customerId) {
		return matchingJsonPath("$.customer_id", equalTo(customerId));
	}

}
