package dev.metering.autoconfigure;

import java.time.Clock;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.balance.GrantSource;
import dev.metering.balance.GrantSources;

/**
 * Auto-configuration of prepaid balances: the credit grants that meters marked
 * {@code metering.meters.<key>.prepaid} draw on, kept in the application's database
 * ({@code metering_grant}) when it has a {@link DataSource} (unless
 * {@code metering.limits.store=memory}, since balances are counted beside the usage
 * ledger), otherwise in memory; and the balances' settings, checked at start-up.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties({ MeteringProperties.class, MeteringBalancesProperties.class })
public final class MeteringBalancesAutoConfiguration {

	private static final Log logger = LogFactory.getLog(MeteringBalancesAutoConfiguration.class);

	@Bean
	BalanceSettings meteringBalanceSettings(MeteringProperties properties, MeteringBalancesProperties balances) {
		return BalanceSettings.of(properties, balances);
	}

	@Bean
	@ConditionalOnMissingBean
	GrantSource meteringGrantSource(BalanceSettings settings, ObjectProvider<Clock> clock,
			ConfigurableListableBeanFactory beans) {
		if (!settings.prepaidMeters().isEmpty()) {
			logger.warn("Credit grants of prepaid meters " + settings.prepaidMeters() + " are kept in memory: they "
					+ "are lost when the application restarts, and each instance sees only its own. "
					+ DatabaseAbsence.of(beans).advice() + " to keep them in a table.");
		}
		return GrantSources.inMemory(clock.getIfUnique(Clock::systemUTC));
	}

	/**
	 * Grants in the application's database. Processed before the in-memory source, as
	 * member classes are.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JdbcTemplate.class)
	@ConditionalOnBean(DataSource.class)
	@Conditional(LimitsInDatabaseCondition.class)
	@Import({ DatabaseInitializationDependencyConfigurer.class, MeteringSchemaConfiguration.class })
	static class JdbcGrantSourceConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@DependsOnDatabaseInitialization
		GrantSource meteringJdbcGrantSource(MeteringJdbc jdbc, ObjectProvider<Clock> clock) {
			return GrantSources.inDatabase(jdbc.client(), jdbc.transactions(), clock.getIfUnique(Clock::systemUTC));
		}

		/**
		 * The grants' table, looked for once a meter is prepaid: none draws on it before.
		 */
		@Bean
		MeteringTables meteringGrantTables(BalanceSettings settings) {
			return settings.prepaidMeters().isEmpty() ? new MeteringTables("balances")
					: new MeteringTables("balances", "meteringJdbcGrantSource");
		}

	}

}
