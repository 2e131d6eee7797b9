package dev.metering.autoconfigure;

import java.time.Clock;

import com.stripe.StripeClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

import dev.metering.delivery.DeliveryObservationConvention;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.stripe.StripeMetering;
import dev.metering.webhook.CacheChangeSharing;
import dev.metering.webhook.WebhookIntake;
import dev.metering.webhook.WebhookReceipts;

/**
 * Auto-configuration of Stripe's webhooks on Spring MVC or WebFlux, when
 * {@code metering.provider=stripe} and {@code metering.stripe.webhook.secret} is set: a
 * customer created or checked out is cached for its organization, a subscription changed
 * evicts the customer's cached plan and period, on every instance on the database, and
 * usage Stripe refused after accepting it goes to the dead letters.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { StripeMeteringAutoConfiguration.class, MeteringAutoConfiguration.class },
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "stripe")
@ConditionalOnClass(StripeClient.class)
@Conditional({ WebhookStackCondition.class, WebhookSecretCondition.Stripe.class })
@EnableConfigurationProperties({ StripeMeteringProperties.class, MeteringOutboxProperties.class })
@Import({ WebhookReceiptsConfiguration.InDatabase.class, WebhookReceiptsConfiguration.InMemory.class,
		CacheChangesConfiguration.InDatabase.class, CacheChangesConfiguration.Local.class,
		WebhookRouteConfigurations.OnSpringMvc.class, WebhookRouteConfigurations.OnWebFlux.class })
public final class StripeWebhookAutoConfiguration {

	@Bean
	ProviderWebhooks meteringStripeWebhooks(StripeMeteringProperties stripe, StripeClient client,
			ObjectProvider<Clock> clock) {
		MeteringProperties.Webhook webhook = stripe.webhook();
		if (webhook.secret().stream().anyMatch((secret) -> !secret.startsWith("whsec_"))) {
			// not an InvalidConfigurationPropertyValueException, whose failure analysis
			// quotes the property's value: it may be an API key put in the wrong place
			throw new IllegalArgumentException("metering.stripe.webhook.secret must hold Stripe signing secrets, "
					+ "which start with whsec_; one of them does not");
		}
		return StripeMetering.webhooks(client, webhook.secret(),
				PropertyChecks.positive(StripeMeteringProperties.PREFIX + ".webhook.tolerance", webhook.tolerance()),
				stripe.customerMetadataKey(), clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	WebhookIntake meteringStripeWebhookIntake(StripeMeteringProperties stripe,
			@Qualifier("meteringStripeWebhooks") ProviderWebhooks webhooks, WebhookReceipts receipts,
			CacheChangeSharing caches, DeliveryQueue outbox, MeteringObservations observations,
			ObjectProvider<DeliveryObservationConvention> convention, ObjectProvider<Clock> clock) {
		return WebhookIntake.of(
				PropertyChecks.webhookPath(StripeMeteringProperties.PREFIX + ".webhook.path", stripe.webhook().path()),
				"stripe", webhooks, receipts, caches, outbox, observations.registry(), convention.getIfUnique(),
				clock.getIfUnique(Clock::systemUTC));
	}

}
