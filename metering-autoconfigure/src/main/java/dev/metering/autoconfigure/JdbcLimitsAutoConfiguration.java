package dev.metering.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.limits.JdbcThresholdClaims;
import dev.metering.limits.JdbcUsageLedger;
import dev.metering.limits.UsageLedger;
import dev.metering.limits.UsageThresholds;
import dev.metering.pricing.CreditCarry;
import dev.metering.pricing.JdbcCarryStore;
import dev.metering.pricing.PriceList;
import dev.metering.provider.MeterUnit;

/**
 * Auto-configuration of the usage ledger in the application's database (H2 or PostgreSQL),
 * when it has a {@link DataSource} bean and spring-jdbc (spring-boot-jdbc is not needed) and
 * {@code metering.limits.store} is not {@code memory}:
 * plan limits survive restarts and hold across every instance on the database, and each usage
 * threshold is published once.
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@Conditional(LimitsInDatabaseCondition.class)
@EnableConfigurationProperties(MeteringProperties.class)
@Import({ DatabaseInitializationDependencyConfigurer.class, MeteringSchemaConfiguration.class })
public final class JdbcLimitsAutoConfiguration {

	/**
	 * How often an instance writes settled usage back and gives unused quota back: how late
	 * another instance sees it, and how late a threshold is published.
	 */
	static final Duration FLUSH_INTERVAL = Duration.ofMillis(200);

	@Bean
	@ConditionalOnMissingBean(UsageLedger.class)
	@DependsOnDatabaseInitialization
	JdbcUsageLedger meteringJdbcUsageLedger(DataSource dataSource, MeteringProperties properties,
			ApplicationEventPublisher events, ObjectProvider<Clock> clock) {
		UsageThresholds thresholds = new UsageThresholds(properties.limits().thresholds(),
				new JdbcThresholdClaims(dataSource, clock.getIfUnique(Clock::systemUTC)), events);
		return new JdbcUsageLedger(dataSource, thresholds, FLUSH_INTERVAL);
	}

	@Bean
	MeteringTables meteringLedgerTables() {
		return new MeteringTables("limits", JdbcUsageLedger.class);
	}

	/** The rounding of credits carried beside the ledger, written back as often as it is. */
	@Bean
	@ConditionalOnMissingBean(CreditCarry.class)
	@DependsOnDatabaseInitialization
	CreditCarry meteringJdbcCreditCarry(DataSource dataSource, PriceList prices) {
		return new CreditCarry(prices.unitsPerCredit(), new JdbcCarryStore(dataSource), FLUSH_INTERVAL);
	}

	/** The carry's table, used once a meter counts credits: no other carries anything. */
	@Bean
	MeteringTables meteringCreditCarryTables(MeteringProperties properties) {
		boolean credits = properties.meters().values().stream().anyMatch((meter) -> meter.unit() == MeterUnit.CREDITS);
		return credits ? new MeteringTables("credits", CreditCarry.class) : new MeteringTables("credits");
	}

}
