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
import dev.metering.provider.metronome.MetronomeClient;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.metronome.MetronomeMetering;
import dev.metering.webhook.CacheChangeSharing;
import dev.metering.webhook.WebhookIntake;
import dev.metering.webhook.WebhookReceipts;

/**
 * Auto-configuration of Metronome's webhooks on Spring MVC or WebFlux, when
 * {@code metering.provider=metronome} and {@code metering.metronome.webhook.secret} is
 * set: an alert or a change of a customer's contract, commits or credits caches the
 * customer for its ingest aliases and evicts its cached plan, period and balances, on
 * every instance on the database.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { MetronomeMeteringAutoConfiguration.class, MeteringAutoConfiguration.class },
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "metronome")
@Conditional({ WebhookStackCondition.class, WebhookSecretCondition.Metronome.class })
@EnableConfigurationProperties({ MetronomeMeteringProperties.class, MeteringOutboxProperties.class })
@Import({ WebhookReceiptsConfiguration.InDatabase.class, WebhookReceiptsConfiguration.InMemory.class,
		CacheChangesConfiguration.InDatabase.class, CacheChangesConfiguration.Local.class,
		WebhookRouteConfigurations.OnSpringMvc.class, WebhookRouteConfigurations.OnWebFlux.class })
public final class MetronomeWebhookAutoConfiguration {

	@Bean
	ProviderWebhooks meteringMetronomeWebhooks(MetronomeMeteringProperties metronome, MetronomeClient client,
			ObjectProvider<Clock> clock) {
		MeteringProperties.Webhook webhook = metronome.webhook();
		return MetronomeMetering.webhooks(client, webhook.secret(),
				PropertyChecks.positive(MetronomeMeteringProperties.PREFIX + ".webhook.tolerance", webhook.tolerance()),
				clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	WebhookIntake meteringMetronomeWebhookIntake(MetronomeMeteringProperties metronome,
			@Qualifier("meteringMetronomeWebhooks") ProviderWebhooks webhooks, WebhookReceipts receipts,
			CacheChangeSharing caches, DeliveryQueue outbox, MeteringObservations observations,
			ObjectProvider<DeliveryObservationConvention> convention, ObjectProvider<Clock> clock) {
		return WebhookIntake.of(
				PropertyChecks.webhookPath(MetronomeMeteringProperties.PREFIX + ".webhook.path",
						metronome.webhook().path()),
				"metronome", webhooks, receipts, caches, outbox, observations.registry(), convention.getIfUnique(),
				clock.getIfUnique(Clock::systemUTC));
	}

}
