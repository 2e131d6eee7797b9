package dev.metering.webhook;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.metering.support.WebhookContexts;

import static dev.metering.support.WebhookContexts.POLAR_SECRET;
import static dev.metering.support.WebhookContexts.STRIPE_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the webhook auto-configurations remember the events handled and make the cache
 * changes webhooks ask for: in the database beside the outbox when it is there, else in
 * this instance.
 */
class WebhookStoresAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = WebhookContexts.runner();

	@Test
	void withoutADataSourceHandledEventsAreRememberedInMemory() {
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context.getBean(WebhookReceipts.class)).as("no DataSource")
				.isInstanceOf(InMemoryWebhookReceipts.class));
	}

	@Test
	void withTheOutboxInTheDatabaseHandledEventsAreRememberedThere() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"spring.datasource.url=jdbc:h2:mem:webhook-receipts-" + UUID.randomUUID())
			.run((context) -> {
				WebhookReceipts receipts = context.getBean(WebhookReceipts.class);
				assertThat(receipts).isInstanceOf(JdbcWebhookReceipts.class);
				assertThat(receipts.claim("stripe", "evt_1")).isTrue();
				assertThat(receipts.claim("stripe", "evt_1")).isFalse();
				assertThat(receipts.claim("polar", "evt_1")).as("another provider's ID").isTrue();
				receipts.release("stripe", "evt_1");
				assertThat(receipts.claim("stripe", "evt_1")).as("released after a failure").isTrue();
			});
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"spring.datasource.url=jdbc:h2:mem:webhook-memory-" + UUID.randomUUID(),
					"metering.outbox.store=memory")
			.run((context) -> assertThat(context.getBean(WebhookReceipts.class))
				.isInstanceOf(InMemoryWebhookReceipts.class));
	}

	@Test
	void withTheOutboxInTheDatabaseCacheChangesReachEveryInstanceThroughItElseStayLocal() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=polar", "metering.polar.webhook.secret=" + POLAR_SECRET,
					"spring.datasource.url=jdbc:h2:mem:cache-changes-" + UUID.randomUUID())
			.run((context) -> assertThat(changes(context)).isInstanceOf(JdbcCacheChanges.class)
				.satisfies((changes) -> assertThat(((JdbcCacheChanges) changes).isRunning()).isTrue()));
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"spring.datasource.url=jdbc:h2:mem:cache-changes-" + UUID.randomUUID(),
					"metering.outbox.store=memory")
			.run((context) -> assertThat(changes(context)).isInstanceOf(LocalCacheChanges.class));
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(changes(context)).as("no DataSource").isInstanceOf(LocalCacheChanges.class));
	}

	private static CacheChanges changes(ApplicationContext context) {
		return context.getBean(CacheChangeSharing.class).changes();
	}

}
