package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;

import dev.metering.delivery.DeliveryObservationConvention;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.webhook.CacheChanges;
import dev.metering.webhook.ProviderEventHandler;
import dev.metering.webhook.WebhookReceipts;
import dev.metering.webhook.WebhookReception;

/**
 * What receives a provider's webhooks, whichever web stack routes {@code POST}s to its
 * path to it.
 */
final class WebhookRoutes {

	private WebhookRoutes() {
	}

	static WebhookReception reception(String provider, ProviderWebhooks webhooks, WebhookReceipts receipts,
			CacheChanges caches, DeliveryQueue outbox, MeteringObservations observations,
			ObjectProvider<DeliveryObservationConvention> convention, ObjectProvider<Clock> clock) {
		ProviderEventHandler events = new ProviderEventHandler(provider, caches, outbox, observations.registry(),
				clock.getIfUnique(Clock::systemUTC));
		convention.ifUnique(events::setObservationConvention);
		return new WebhookReception(provider, webhooks, receipts, events);
	}

}
