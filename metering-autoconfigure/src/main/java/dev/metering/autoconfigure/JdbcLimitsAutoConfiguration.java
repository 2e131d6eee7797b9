package dev.metering.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

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

import dev.metering.limits.JdbcUsageLedger;
import dev.metering.limits.UsageLedger;
import dev.metering.limits.UsageLedgers;
import dev.metering.outbox.UsageOutbox;
import dev.metering.outbox.UsageOutboxes;
import dev.metering.pricing.CreditCarries;
import dev.metering.pricing.CreditCarry;
import dev.metering.pricing.PriceList;
import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterUnit;

/**
 * Auto-configuration of the usage ledger in the application's database (H2 or
 * PostgreSQL), when it has a {@link DataSource} bean and spring-jdbc (spring-boot-jdbc is
 * not needed) and {@code metering.limits.store} is not {@code memory}: plan limits
 * survive restarts and hold across every instance on the database, and each usage
 * threshold is published once. What an instance that dies holds comes back to the others
 * after {@code metering.limits.lease}, with the usage it had not written back, found in
 * the outbox when that is in the database too.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@Conditional(LimitsInDatabaseCondition.class)
@EnableConfigurationProperties({ MeteringProperties.class, MeteringLimitsProperties.class })
@Import({ DatabaseInitializationDependencyConfigurer.class, MeteringSchemaConfiguration.class,
		MeteringInstanceConfiguration.class })
public final class JdbcLimitsAutoConfiguration {

	private static final Log logger = LogFactory.getLog(JdbcLimitsAutoConfiguration.class);

	/**
	 * How often an instance writes settled usage back and gives unused quota back: how
	 * late another instance sees it, and how late a threshold is published.
	 */
	static final Duration FLUSH_INTERVAL = Duration.ofMillis(200);

	@Bean
	@ConditionalOnMissingBean(UsageLedger.class)
	@DependsOnDatabaseInitialization
	JdbcUsageLedger meteringJdbcUsageLedger(MeteringJdbc jdbc, MeteringLimitsProperties limits,
			ApplicationEventPublisher events, ObjectProvider<Clock> clock, MeteringInstance instance,
			MeterCatalog meters, ObjectProvider<UsageOutbox> outbox, ObjectProvider<BalanceSettings> balances) {
		BalanceSettings balanceSettings = balances.getIfUnique();
		return UsageLedgers.inDatabase(jdbc.client(), jdbc.operations(), jdbc.transactions(),
				LimitChecks.thresholds(limits), BalanceSettings.thresholdsOf(balanceSettings), events, FLUSH_INTERVAL,
				instance.id(), LimitChecks.lease(limits), limits.onStoreFailure(),
				recordedEventNames(meters, balanceSettings, outbox.getIfUnique()), clock.getIfUnique(Clock::systemUTC));
	}

	/**
	 * The event names of the meters that feed each limit key and each prepaid balance,
	 * when the outbox is in the database and records under the same instance ID the usage
	 * the ledger settled; {@code null} otherwise.
	 */
	private static @Nullable Map<String, Set<String>> recordedEventNames(MeterCatalog meters,
			@Nullable BalanceSettings balances, @Nullable UsageOutbox outbox) {
		if (!UsageOutboxes.keepsRecordedUsage(outbox)) {
			logger.warn("The usage ledger is in the database but usage waits for delivery elsewhere "
					+ "(metering.outbox.store): an instance killed without shutting down leaves the usage its calls "
					+ "settled in its last " + FLUSH_INTERVAL.toMillis() + " ms uncounted against the limits");
			return null;
		}
		Map<String, Set<String>> eventNames = new HashMap<>(meters.eventNamesByLimitKey());
		if (balances != null) {
			balances.prepaidMeters()
				.forEach((meterKey) -> eventNames.put(UsageLedger.balanceKey(meterKey),
						Set.of(meters.byKey(meterKey).eventName())));
		}
		return eventNames;
	}

	@Bean
	MeteringTables meteringLedgerTables() {
		return new MeteringTables("limits", "meteringJdbcUsageLedger");
	}

	/**
	 * The rounding of credits carried beside the ledger, written back as often as it is.
	 */
	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	CreditCarry meteringJdbcCreditCarry(MeteringJdbc jdbc, PriceList prices) {
		return CreditCarries.inDatabase(prices.unitsPerCredit(), jdbc.client(), jdbc.transactions(), FLUSH_INTERVAL);
	}

	/** The carry's table, used once a meter counts credits: no other carries anything. */
	@Bean
	MeteringTables meteringCreditCarryTables(MeteringProperties properties) {
		boolean credits = properties.meters().values().stream().anyMatch((meter) -> meter.unit() == MeterUnit.CREDITS);
		return credits ? new MeteringTables("credits", "meteringJdbcCreditCarry") : new MeteringTables("credits");
	}

}
