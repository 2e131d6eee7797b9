package dev.metering;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link BillingClient} as the auto-configuration builds it, on the local meter.
 */
class BillingClientTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.meter-id=mtr_123", "metering.meters.ai-tokens.limit-key=aiTokens",
				"metering.accounts.org_acme.customer-id=cus_ABC123", "metering.accounts.org_acme.plan=pro",
				"metering.plans.free.limits.aiTokens=100", "metering.plans.pro.limits.aiTokens=1000",
				"metering.plans.pro.limits.seats=5", "metering.delivery.flush-interval=20ms");

	@Test
	void recordedUsageIsDeliveredOnceAndSummed() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			RecordUsageResult first = billing.recordUsage("ai_tokens", "cus_ABC123", 40);
			RecordUsageResult second = billing.recordUsage("ai_tokens", "cus_ABC123", 2, Instant.now());

			assertThat(first.recorded()).isTrue();
			assertThat(first.error()).isNull();
			assertThat(first.identifier()).startsWith("usage_").isNotEqualTo(second.identifier());
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(billing.getUsage("mtr_123", "cus_ABC123")).singleElement().satisfies((summary) -> {
				assertThat(summary.aggregatedValue()).isEqualTo(42);
				assertThat(summary.meterId()).isEqualTo("mtr_123");
				assertThat(summary.startTime()).isBefore(Instant.now());
				assertThat(summary.endTime()).isAfter(Instant.now());
			});
			assertThat(billing.getUsage("mtr_123", "cus_other")).singleElement()
				.extracting(MeterUsageSummary::aggregatedValue)
				.isEqualTo(0L);
		});
	}

	@Test
	void usageOutsideTheQueriedRangeIsNotCounted() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			Instant twoDaysAgo = Instant.now().minus(2, ChronoUnit.DAYS);
			billing.recordUsage("ai_tokens", "cus_ABC123", 5, twoDaysAgo);
			billing.recordUsage("ai_tokens", "cus_ABC123", 7);
			billing.flush(Duration.ofSeconds(5));

			Instant oneDayAgo = Instant.now().minus(1, ChronoUnit.DAYS);
			assertThat(billing.getUsage("mtr_123", "cus_ABC123", oneDayAgo, Instant.now().plusSeconds(60)))
				.singleElement()
				.extracting(MeterUsageSummary::aggregatedValue)
				.isEqualTo(7L);
		});
	}

	@Test
	void badInputIsRefusedWithAClearErrorAndNothingIsRecorded() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			Instant now = Instant.now();
			assertRefused(billing.recordUsage(" ", "cus_ABC123", 1), "eventName must not be blank");
			assertRefused(billing.recordUsage(null, "cus_ABC123", 1), "eventName must not be blank");
			assertRefused(billing.recordUsage("AI_TOKENS", "cus_ABC123", 1),
					"Unknown event name 'AI_TOKENS'; event names are case-sensitive");
			assertRefused(billing.recordUsage("ai_tokens", "cus_ABC123", -1), "value must not be negative, was -1");
			assertRefused(billing.recordUsage("ai_tokens", "", 1), "customerId must not be blank");
			assertRefused(billing.recordUsage("ai_tokens", "org_acme", 1), "'org_acme' is an organization or user "
					+ "ID, not a customer ID; its local customer ID is 'cus_ABC123'");
			assertRefused(billing.recordUsage("ai_tokens", "cus ABC", 1), "customerId must not contain white space");
			assertRefused(billing.recordUsage("ai_tokens", "cus_ABC123", 1, now.plus(10, ChronoUnit.MINUTES)),
					"minutes in the future");
			assertRefused(billing.recordUsage("ai_tokens", "cus_ABC123", 1, null), "timestamp must not be null");
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(billing.getUsage("mtr_123", "cus_ABC123").get(0).aggregatedValue()).isZero();
		});
	}

	private static void assertRefused(RecordUsageResult result, String error) {
		assertThat(result.recorded()).isFalse();
		assertThat(result.identifier()).isNull();
		assertThat(result.error()).contains(error);
	}

	@Test
	void unconfiguredEventNamesCanBeAllowed() {
		this.contextRunner.withPropertyValues("metering.allow-unknown-events=true").run((context) -> {
			RecordUsageResult result = context.getBean(BillingClient.class).recordUsage("api_calls", "cus_1", 3);
			assertThat(result.recorded()).isTrue();
		});
	}

	@Test
	void getUsageWantsTheMeterIdAndNamesItWhenGivenTheEventName() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getUsage("ai_tokens", "cus_ABC123"))
				.withMessageContaining("'ai_tokens' is not a meter ID")
				.withMessageContaining("use 'mtr_123' (metering.meters.ai-tokens.meter-id)");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getUsage("mtr_nope", "cus_ABC123"))
				.withMessageContaining("Unknown meter ID 'mtr_nope'")
				.withMessageContaining("mtr_123");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getUsage("mtr_123", " "))
				.withMessage("customerId must not be blank");
		});
	}

	@Test
	void planLimitChecksFollowTheSeedSemantics() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.checkPlanLimit("org_acme", "aiTokens", 999))
				.isEqualTo(new PlanLimitCheck(true, 1000L, 1, true));
			assertThat(billing.checkPlanLimit("org_acme", "aiTokens", 1000))
				.isEqualTo(new PlanLimitCheck(false, 1000L, 0, true));
			assertThat(billing.checkPlanLimit("org_acme", "aiTokens", 1500))
				.isEqualTo(new PlanLimitCheck(false, 1000L, 0, true));
			assertThat(billing.checkPlanLimit("org_acme", "images", 1_000_000))
				.isEqualTo(new PlanLimitCheck(true, null, Long.MAX_VALUE, true));
			assertThat(billing.checkPlanLimit("org_new", "aiTokens", 10))
				.isEqualTo(new PlanLimitCheck(true, 100L, 90, false));
			assertThat(billing.getPlanLimits("org_acme"))
				.isEqualTo(new PlanLimits("pro", Map.of("aiTokens", 1000L, "seats", 5L)));
			assertThat(billing.getPlanLimits("org_new")).isEqualTo(new PlanLimits("free", Map.of("aiTokens", 100L)));
		});
	}

	@Test
	void customerIdsComeFromConfiguredAccounts() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.getCustomerId(BillingSubject.organization("org_acme"))).contains("cus_ABC123");
			assertThat(billing.getCustomerId(BillingSubject.organization("org_new"))).isEmpty();
		});
	}

	@Test
	void missingArgumentsAreRefusedNamingTheArgument() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			assertThatIllegalArgumentException().isThrownBy(() -> billing.checkPlanLimit("org_acme", null, 5))
				.withMessage("limitKey must not be blank");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.checkPlanLimit(null, "aiTokens", 5))
				.withMessage("referenceId must not be blank");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.checkPlanLimit("org_acme", "aiTokens", -1))
				.withMessage("currentUsage must not be negative, was -1");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getPlanLimits(" "))
				.withMessage("referenceId must not be blank");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getCustomerId(null))
				.withMessage("subject must not be null");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getUsage(null, "cus_ABC123"))
				.withMessage("meterId must not be blank");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getUsage("mtr_123", null))
				.withMessage("customerId must not be blank");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getUsageStatus("org_acme", null))
				.withMessage("limitKey must not be blank");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getUsageStatuses(null))
				.withMessage("referenceId must not be blank");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.flush(null))
				.withMessageContaining("timeout must not be null");
			assertThat(billing.recordUsage(null, "cus_ABC123", 1).error()).isEqualTo("eventName must not be blank");
			assertThat(billing.recordUsage("ai_tokens", "cus_ABC123", 1, null).error())
				.isEqualTo("timestamp must not be null");
		});
	}

	@Test
	void usageStatusTellsWhereAnOrganizationStandsAgainstEachLimitedMeter() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);

			UsageStatus status = billing.getUsageStatus("org_acme", "aiTokens");

			assertThat(status.plan()).isEqualTo("pro");
			assertThat(status.limitKey()).isEqualTo("aiTokens");
			assertThat(status.used()).isZero();
			assertThat(status.limit()).isEqualTo(1000);
			assertThat(status.remaining()).isEqualTo(1000);
			assertThat(status.level()).isEqualTo(UsageStatus.Level.OK);
			assertThat(status.periodStart()).isBefore(Instant.now());
			assertThat(status.periodEnd()).isAfter(Instant.now());
			assertThat(billing.getUsageStatuses("org_acme")).containsExactly(status);
			assertThat(billing.getUsageStatus("org_without_account", "aiTokens").plan()).isEqualTo("free");
			assertThat(billing.getUsageStatus("org_acme", "unknownKey").level()).isEqualTo(UsageStatus.Level.UNLIMITED);
		});
	}

}
