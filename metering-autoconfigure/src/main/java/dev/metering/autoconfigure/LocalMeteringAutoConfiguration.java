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
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.lock.InstanceLock;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.local.InMemoryLocalMeterStore;
import dev.metering.provider.local.LocalMeterProvider;
import dev.metering.provider.local.LocalMeterStores;

/**
 * Auto-configuration of the embedded local meter, the provider when
 * {@code metering.provider=local} (the default): it needs no keys and no services. With a
 * {@link DataSource} (unless {@code metering.limits.store=memory}) it keeps its sums in
 * the database, so that they survive restarts, like the usage ledger; otherwise in
 * memory.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "local", matchIfMissing = true)
@EnableConfigurationProperties({ MeteringLimitsProperties.class, MeteringOutboxProperties.class })
public final class LocalMeteringAutoConfiguration {

	private static final Log logger = LogFactory.getLog(LocalMeteringAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean(MeterProvider.class)
	LocalMeterProvider localMeterProvider(MeteringLimitsProperties limits, ConfigurableListableBeanFactory beans) {
		DatabaseAbsence absence = DatabaseAbsence.of(beans);
		if (limits.store() == MeteringProperties.Store.JDBC) {
			throw absence.storeFailure("metering.limits.store");
		}
		logger.warn("The local meter keeps the usage it was delivered in memory: getUsage answers 0 after a "
				+ "restart. " + absence.advice() + ", with metering.limits.store left at auto, to keep it in a table.");
		return new LocalMeterProvider(new InMemoryLocalMeterStore());
	}

	/**
	 * The local meter in the application's database. Processed before the in-memory one,
	 * as member classes are.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JdbcTemplate.class)
	@ConditionalOnBean(DataSource.class)
	@Conditional(LimitsInDatabaseCondition.class)
	@Import({ DatabaseInitializationDependencyConfigurer.class, MeteringSchemaConfiguration.class,
			InstanceLockConfiguration.class })
	static class JdbcLocalMeterConfiguration {

		@Bean
		@ConditionalOnMissingBean(MeterProvider.class)
		@DependsOnDatabaseInitialization
		LocalMeterProvider jdbcLocalMeterProvider(MeteringJdbc jdbc, MeteringOutboxProperties outbox,
				ObjectProvider<Clock> clock, InstanceLock lock) {
			return new LocalMeterProvider(LocalMeterStores.inDatabase(jdbc.client(), jdbc.transactions(),
					clock.getIfUnique(Clock::systemUTC), PropertyChecks.retention(outbox), lock));
		}

		@Bean
		MeteringTables meteringLocalMeterTables() {
			return new MeteringTables("local-meter", "jdbcLocalMeterProvider");
		}

	}

}
