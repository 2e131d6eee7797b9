package dev.metering.autoconfigure;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.CreditGrant;
import dev.metering.balance.GrantSource;
import dev.metering.balance.GrantSources;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the grants of prepaid balances are kept, and the balances' settings as the
 * configuration gives them, checked at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class MeteringBalancesAutoConfigurationTests {

	private static final String IN_MEMORY_WARNING = "are kept in memory";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class));

	@Test
	void aDataSourceKeepsTheGrantsInTheDatabase(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:balances-jdbc",
					"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.prepaid=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(GrantSource.class).hasBean("meteringJdbcGrantSource");
				CreditGrant grant = context.getBean(GrantSource.class)
					.grant("org_acme", "ai-tokens", 1000, Instant.parse("2027-01-01T00:00:00Z"), null, 0);
				assertThat(new JdbcTemplate(context.getBean(DataSource.class))
					.queryForObject("SELECT amount FROM metering_grant WHERE id = ?", Long.class, grant.id()))
					.isEqualTo(1000);
			});
		assertThat(output).doesNotContain(IN_MEMORY_WARNING);
	}

	@Test
	void withoutADataSourceTheGrantsOfPrepaidMetersAreKeptInMemoryWithAWarning(CapturedOutput output) {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.prepaid=true")
			.run((context) -> assertThat(context).hasSingleBean(GrantSource.class)
				.hasBean("meteringGrantSource")
				.doesNotHaveBean("meteringJdbcGrantSource"));
		assertThat(output).contains("Credit grants of prepaid meters [ai-tokens] " + IN_MEMORY_WARNING)
			.contains("Give the application a DataSource (H2 or PostgreSQL)");
	}

	@Test
	void withoutAPrepaidMeterGrantsInMemoryNeedNoWarning(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:balances-memory", "metering.limits.store=memory")
			.run((context) -> assertThat(context).hasSingleBean(GrantSource.class).hasBean("meteringGrantSource"));
		assertThat(output).doesNotContain(IN_MEMORY_WARNING);
	}

	@Test
	void theApplicationsOwnGrantSourceReplacesTheStarters() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:balances-own")
			.withUserConfiguration(OwnGrantSource.class)
			.run((context) -> assertThat(context).hasSingleBean(GrantSource.class).hasBean("ownGrantSource"));
	}

	@Test
	void theSettingsSayWhichMetersArePrepaidWhatPlansGrantAndWhenBalancesAreLow() {
		this.contextRunner
			.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.prepaid=true", "metering.meters.images.event-name=images",
					"metering.default-plan=pro", "metering.plans.pro.grants.ai-tokens.amount=1000000",
					"metering.plans.team.grants.ai-tokens.amount=5000000",
					"metering.plans.team.grants.ai-tokens.rollover=true")
			.run((context) -> {
				BalanceSettings settings = context.getBean(BalanceSettings.class);
				assertThat(settings.prepaidMeters()).containsExactly("ai-tokens");
				assertThat(settings.thresholds()).containsExactly(20, 5, 0);
				assertThat(settings.planGrants()).containsOnlyKeys("pro", "team");
				assertThat(settings.planGrants().get("pro")).isEqualTo(Map.of("ai-tokens",
						new MeteringProperties.Plan.Grant(1000000, MeteringProperties.Plan.Recurrence.PERIOD, false)));
				assertThat(settings.planGrants().get("team").get("ai-tokens").rollover()).isTrue();
			});
	}

	@Test
	void thresholdsAreKeptOnceEachTheHighestFirst() {
		this.contextRunner.withPropertyValues("metering.balances.thresholds=5,50,5,0")
			.run((context) -> assertThat(context.getBean(BalanceSettings.class).thresholds()).containsExactly(50, 5,
					0));
	}

	@Test
	void aThresholdOutsideZeroToOneHundredFailsStartUp() {
		for (String thresholds : List.of("20,101", "-1")) {
			this.contextRunner.withPropertyValues("metering.balances.thresholds=" + thresholds)
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.isInstanceOf(InvalidMeteringPropertyException.class)
					.hasMessageStartingWith("metering.balances.thresholds must be percentages from 0 to 100"));
		}
	}

	@Test
	void aPlanGrantOnAnUnknownMeterFailsStartUp() {
		this.contextRunner
			.withPropertyValues("metering.default-plan=pro", "metering.plans.pro.grants.ai-token.amount=1000")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidMeteringPropertyException.class)
				.hasMessage("metering.plans.pro.grants.ai-token 'ai-token' is not a meter key under "
						+ "metering.meters [ai-tokens]"));
	}

	@Test
	void aNegativePlanGrantFailsStartUp() {
		this.contextRunner
			.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.prepaid=true", "metering.default-plan=pro",
					"metering.plans.pro.grants.ai-tokens.amount=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidMeteringPropertyException.class)
				.hasMessage("metering.plans.pro.grants.ai-tokens.amount must not be negative, was -1"));
	}

	@Test
	void aPlanGrantOnAMeterThatIsNotPrepaidFailsStartUp() {
		this.contextRunner
			.withPropertyValues("metering.default-plan=pro", "metering.plans.pro.grants.ai-tokens.amount=1000")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidMeteringPropertyException.class)
				.hasMessage("metering.plans.pro.grants.ai-tokens 'ai-tokens' draws on no balance: set "
						+ "metering.meters.ai-tokens.prepaid=true for it to be granted"));
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnGrantSource {

		@Bean
		GrantSource ownGrantSource() {
			return GrantSources.inMemory(Clock.systemUTC());
		}

	}

}
