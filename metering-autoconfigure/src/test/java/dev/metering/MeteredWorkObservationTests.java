package dev.metering;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.billing.AdmissionObservationContext;
import dev.metering.billing.AdmissionObservationConvention;
import dev.metering.billing.DefaultAdmissionObservationConvention;
import dev.metering.support.MeteredChat;
import dev.metering.support.MeteringAutoConfigurations;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Each metered call is observed on the application's observation registry as it is
 * admitted ({@code metering.admission}) and as its usage is recorded
 * ({@code metering.recording}), with how each went; with a model that spends 30 tokens a
 * call against a limit of 50.
 */
class MeteredWorkObservationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(ObservationRegistry.class, TestObservationRegistry::create)
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=50",
				"metering.accounts.org_a.customer-id=cus_a", "metering.delivery.flush-interval=20ms");

	@Test
	void anAdmittedCallIsObservedAsItIsAdmittedAndAsItsUsageIsRecorded() {
		this.contextRunner.run((context) -> {
			MeteredChat.of(context).ask("org_a");

			assertThat(observations(context)).hasObservationWithNameEqualTo("metering.admission")
				.that()
				.hasContextualNameEqualTo("admit ai-tokens")
				.hasLowCardinalityKeyValue("outcome", "admitted")
				.hasLowCardinalityKeyValue("limit", "aiTokens")
				.doesNotHaveError();
			assertThat(observations(context)).hasObservationWithNameEqualTo("metering.recording")
				.that()
				.hasContextualNameEqualTo("record ai-tokens")
				.hasLowCardinalityKeyValue("outcome", "recorded")
				.doesNotHaveError();
		});
	}

	@Test
	void aCallRefusedAtTheLimitIsObservedWithItsError() {
		this.contextRunner.run((context) -> {
			MeteredChat.of(context).ask("org_a");
			MeteredChat.of(context).ask("org_a");
			assertThatExceptionOfType(UsageLimitExceededException.class)
				.isThrownBy(() -> MeteredChat.of(context).ask("org_a"));

			assertThat(observations(context))
				.hasAnObservation((observation) -> observation.hasNameEqualTo("metering.admission")
					.hasLowCardinalityKeyValue("outcome", "refused")
					.hasLowCardinalityKeyValue("limit", "aiTokens")
					.assertThatError()
					.isInstanceOf(UsageLimitExceededException.class));
		});
	}

	@Test
	void aCallCappedAtWhatTheBudgetPaysForIsObservedAsCapped() {
		this.contextRunner
			.withPropertyValues("metering.limits.on-limit=cap", "metering.limits.completion-estimate=1000",
					"metering.limits.min-completion-tokens=1")
			.run((context) -> {
				MeteredChat.of(context).ask("org_a");

				assertThat(observations(context)).hasObservationWithNameEqualTo("metering.admission")
					.that()
					.hasLowCardinalityKeyValue("outcome", "capped")
					.hasLowCardinalityKeyValue("limit", "aiTokens");
			});
	}

	@Test
	void aCallWithoutABillingAccountIsObservedAsUnbilled() {
		this.contextRunner.withPropertyValues("metering.on-missing-customer=skip").run((context) -> {
			MeteredChat.of(context).ask("org_without_account");

			assertThat(observations(context)).hasObservationWithNameEqualTo("metering.admission")
				.that()
				.hasLowCardinalityKeyValue("outcome", "unbilled")
				.hasLowCardinalityKeyValue("limit", "none");
			assertThat(observations(context)).hasObservationWithNameEqualTo("metering.recording")
				.that()
				.hasLowCardinalityKeyValue("outcome", "unbilled");
		});
	}

	@Test
	void anAdmissionConventionOfTheApplicationsReplacesTheDefault() {
		this.contextRunner.withBean(AdmissionObservationConvention.class, ByOrganization::new).run((context) -> {
			MeteredChat.of(context).ask("org_a");

			assertThat(observations(context)).hasObservationWithNameEqualTo("metering.admission")
				.that()
				.hasContextualNameEqualTo("admit for org_a");
		});
	}

	private static TestObservationRegistry observations(AssertableApplicationContext context) {
		return context.getBean(TestObservationRegistry.class);
	}

	/**
	 * Names admissions after the organization admitted, as an application may in its
	 * traces.
	 */
	static final class ByOrganization extends DefaultAdmissionObservationConvention {

		@Override
		public String getContextualName(AdmissionObservationContext context) {
			return "admit for " + context.getReferenceId();
		}

	}

}
