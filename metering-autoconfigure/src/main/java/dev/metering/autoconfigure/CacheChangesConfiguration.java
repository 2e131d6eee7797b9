package dev.metering.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.provider.ProviderCaches;
import dev.metering.webhook.CacheChangeSharing;

/**
 * Where the cache changes that webhooks ask for are made, imported by each provider's
 * webhook auto-configuration in this order: in every instance through the database beside
 * the outbox when it is there, else in this instance only.
 */
abstract class CacheChangesConfiguration {

	/** How often each instance reads the changes the others wrote. */
	static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JdbcTemplate.class)
	@ConditionalOnBean(DataSource.class)
	@Conditional(JdbcOutboxAutoConfiguration.OutboxInDatabaseCondition.class)
	@Import({ DatabaseInitializationDependencyConfigurer.class, MeteringSchemaConfiguration.class })
	static class InDatabase {

		@Bean
		@DependsOnDatabaseInitialization
		CacheChangeSharing meteringJdbcCacheChanges(MeteringJdbc jdbc, ProviderCaches caches,
				ObjectProvider<Clock> clock) {
			return CacheChangeSharing.inDatabase(jdbc.client(), jdbc.operations(), caches, POLL_INTERVAL,
					clock.getIfUnique(Clock::systemUTC));
		}

		@Bean
		MeteringTables meteringCacheChangeTables() {
			return new MeteringTables("cache-changes", "meteringJdbcCacheChanges");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Local {

		@Bean
		@ConditionalOnMissingBean(name = "meteringJdbcCacheChanges")
		CacheChangeSharing meteringCacheChanges(ProviderCaches caches) {
			return CacheChangeSharing.local(caches);
		}

	}

}
