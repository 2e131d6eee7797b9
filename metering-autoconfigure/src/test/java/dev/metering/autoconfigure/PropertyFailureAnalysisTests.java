package dev.metering.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What an application that starts with a metering property it cannot use is told: Boot's
 * failure report names the property, its value and where it was set, and what to do, for
 * each kind of check made where a value is used.
 */
@ExtendWith(OutputCaptureExtension.class)
class PropertyFailureAnalysisTests {

	private static final String ACTION = "Review the value of the property with the provided reason.";

	@Test
	void aMissingRequiredValue(CapturedOutput output) {
		assertThat(startUpReport(output, "--metering.meters.ai-tokens.event-name= "))
			.contains("Invalid value ' ' for configuration property 'metering.meters.ai-tokens.event-name'")
			.contains(origin("metering.meters.ai-tokens.event-name"))
			.contains("must not be blank")
			.contains(ACTION);
	}

	@Test
	void anUnknownReference(CapturedOutput output) {
		assertThat(startUpReport(output, "--metering.default-meter=nope"))
			.contains("Invalid value 'nope' for configuration property 'metering.default-meter'")
			.contains(origin("metering.default-meter"))
			.contains("'nope' is not a meter key under metering.meters [ai-tokens]")
			.contains(ACTION);
	}

	@Test
	void aNumberOutOfRange(CapturedOutput output) {
		assertThat(startUpReport(output, "--metering.plans.free.limits.ai-tokens=-5"))
			.contains("Invalid value '-5' for configuration property 'metering.plans.free.limits.ai-tokens'")
			.contains(origin("metering.plans.free.limits.ai-tokens"))
			.contains("must not be negative, was -5")
			.contains(ACTION);
	}

	@Test
	void aDurationOutOfRange(CapturedOutput output) {
		assertThat(startUpReport(output, "--metering.delivery.flush-interval=0s"))
			.contains("Invalid value '0s' for configuration property 'metering.delivery.flush-interval'")
			.contains(origin("metering.delivery.flush-interval"))
			.contains("must be positive, was PT0S")
			.contains(ACTION);
	}

	@Test
	void anInconsistentCombination(CapturedOutput output) {
		assertThat(
				startUpReport(output, "--metering.delivery.initial-backoff=10m", "--metering.delivery.max-backoff=5m"))
			.contains("Invalid value '10m' for configuration property 'metering.delivery.initial-backoff'")
			.contains(origin("metering.delivery.initial-backoff"))
			.contains("must be positive and not above metering.delivery.max-backoff")
			.contains(ACTION);
	}

	@Test
	void aProviderWithoutCredentials(CapturedOutput output) {
		assertThat(startUpReport(output, "--metering.provider=stripe", "--metering.stripe.api-key="))
			.contains("Invalid value '' for configuration property 'metering.stripe.api-key'")
			.contains(origin("metering.stripe.api-key"))
			.contains("must be set when metering.provider=stripe (e.g. from STRIPE_SECRET_KEY)")
			.contains(ACTION);
	}

	@Test
	void aPlanGrantOnAnUnknownMeter(CapturedOutput output) {
		assertThat(startUpReport(output, "--metering.default-plan=pro",
				"--metering.plans.pro.grants.ai-token.amount=1000"))
			.contains("Invalid value 'ai-token' for configuration property 'metering.plans.pro.grants.ai-token'")
			.contains("'ai-token' is not a meter key under metering.meters [ai-tokens]")
			.contains(ACTION);
	}

	@Test
	void aBalanceThresholdOutOfRange(CapturedOutput output) {
		assertThat(startUpReport(output, "--metering.balances.thresholds=20,120"))
			.contains("Invalid value '20,120' for configuration property 'metering.balances.thresholds'")
			.contains(origin("metering.balances.thresholds"))
			.contains("must be percentages from 0 to 100, was [20, 120]")
			.contains(ACTION);
	}

	/** The failure report of an application started with these arguments. */
	private static String startUpReport(CapturedOutput output, String... args) {
		SpringApplication application = new SpringApplication(MeteringApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run(args));
		String all = output.getAll();
		assertThat(all).contains("APPLICATION FAILED TO START");
		return all.substring(all.indexOf("APPLICATION FAILED TO START"));
	}

	private static String origin(String name) {
		return "\"" + name + "\" from property source \"commandLineArgs\"";
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ MeteringAutoConfiguration.class, LocalMeteringAutoConfiguration.class,
			StripeMeteringAutoConfiguration.class, MeteringBalancesAutoConfiguration.class })
	static class MeteringApplication {

	}

}
