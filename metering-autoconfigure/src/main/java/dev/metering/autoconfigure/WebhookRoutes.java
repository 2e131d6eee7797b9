package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import dev.metering.delivery.DeliveryObservationConvention;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.webhook.CacheChanges;
import dev.metering.webhook.ProviderEventHandler;
import dev.metering.webhook.WebhookEndpoint;
import dev.metering.webhook.WebhookReceipts;

/**
 * The route of a provider's webhooks: {@code POST} to its path.
 */
final class WebhookRoutes {

	private WebhookRoutes() {
	}

	static RouterFunction<ServerResponse> route(MeteringProperties.Webhook webhook, String provider,
			ProviderWebhooks webhooks, WebhookReceipts receipts, CacheChanges caches, DeliveryQueue outbox,
			MeteringObservations observations, ObjectProvider<DeliveryObservationConvention> convention,
			ObjectProvider<Clock> clock) {
		ProviderEventHandler events = new ProviderEventHandler(provider, caches, outbox, observations.registry(),
				clock.getIfUnique(Clock::systemUTC));
		convention.ifUnique(events::setObservationConvention);
		return RouterFunctions.route()
			.POST(webhook.path(), new WebhookEndpoint(provider, webhooks, receipts, events))
			.build();
	}

}
