package dev.metering.autoconfigure;

import java.time.Clock;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Ticker;

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

import dev.metering.lock.InstanceLock;
import dev.metering.webhook.WebhookReceiptStores;
import dev.metering.webhook.WebhookReceipts;

/**
 * Where the webhook events already handled are remembered, imported by each provider's
 * webhook auto-configuration in this order: in the database beside the outbox when it is
 * there, so that a duplicate is recognised by every instance and after a restart, else in
 * memory. Either way for {@code metering.outbox.retention}, as long as delivered events,
 * which a late report refers to.
 */
abstract class WebhookReceiptsConfiguration {

	/** Most events the receipts in memory remember. */
	static final long IN_MEMORY_RECEIPTS = 100_000;

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JdbcTemplate.class)
	@ConditionalOnBean(DataSource.class)
	@Conditional(JdbcOutboxAutoConfiguration.OutboxInDatabaseCondition.class)
	@Import({ DatabaseInitializationDependencyConfigurer.class, MeteringSchemaConfiguration.class,
			InstanceLockConfiguration.class })
	static class InDatabase {

		@Bean
		@ConditionalOnMissingBean
		@DependsOnDatabaseInitialization
		WebhookReceipts meteringJdbcWebhookReceipts(MeteringJdbc jdbc, MeteringOutboxProperties outbox,
				ObjectProvider<Clock> clock, InstanceLock lock) {
			return WebhookReceiptStores.inDatabase(jdbc.client(), PropertyChecks.retention(outbox),
					clock.getIfUnique(Clock::systemUTC), lock);
		}

		@Bean
		MeteringTables meteringWebhookReceiptTables() {
			return new MeteringTables("webhooks", "meteringJdbcWebhookReceipts");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InMemory {

		@Bean
		@ConditionalOnMissingBean
		WebhookReceipts meteringWebhookReceipts(MeteringOutboxProperties outbox) {
			return WebhookReceiptStores.inMemory(PropertyChecks.retention(outbox), IN_MEMORY_RECEIPTS,
					Ticker.systemTicker());
		}

	}

}
