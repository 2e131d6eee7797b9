package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

import dev.metering.delivery.DeliveryObservationConvention;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.polar.PolarMetering;
import dev.metering.webhook.CacheChangeSharing;
import dev.metering.webhook.WebhookIntake;
import dev.metering.webhook.WebhookReceipts;

/**
 * Auto-configuration of Polar's webhooks on Spring MVC or WebFlux, when
 * {@code metering.provider=polar} and {@code metering.polar.webhook.secret} is set: a
 * customer created or changed is cached for its external ID, and a subscription or
 * customer state changed evicts the customer's cached plan and period, on every instance
 * on the database.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { PolarMeteringAutoConfiguration.class, MeteringAutoConfiguration.class },
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "polar")
@Conditional({ WebhookStackCondition.class, WebhookSecretCondition.Polar.class })
@EnableConfigurationProperties({ PolarMeteringProperties.class, MeteringOutboxProperties.class })
@Import({ WebhookReceiptsConfiguration.InDatabase.class, WebhookReceiptsConfiguration.InMemory.class,
		CacheChangesConfiguration.InDatabase.class, CacheChangesConfiguration.Local.class,
		WebhookRouteConfigurations.OnSpringMvc.class, WebhookRouteConfigurations.OnWebFlux.class })
public final class PolarWebhookAutoConfiguration {

	@Bean
	ProviderWebhooks meteringPolarWebhooks(PolarMeteringProperties polar, ObjectProvider<Clock> clock) {
		MeteringProperties.Webhook webhook = polar.webhook();
		return PolarMetering.webhooks(webhook.secret(),
				PropertyChecks.positive(PolarMeteringProperties.PREFIX + ".webhook.tolerance", webhook.tolerance()),
				clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	WebhookIntake meteringPolarWebhookIntake(PolarMeteringProperties polar,
			@Qualifier("meteringPolarWebhooks") ProviderWebhooks webhooks, WebhookReceipts receipts,
			CacheChangeSharing caches, DeliveryQueue outbox, MeteringObservations observations,
			ObjectProvider<DeliveryObservationConvention> convention, ObjectProvider<Clock> clock) {
		return WebhookIntake.of(
				PropertyChecks.webhookPath(PolarMeteringProperties.PREFIX + ".webhook.path", polar.webhook().path()),
				"polar", webhooks, receipts, caches, outbox, observations.registry(), convention.getIfUnique(),
				clock.getIfUnique(Clock::systemUTC));
	}

}
