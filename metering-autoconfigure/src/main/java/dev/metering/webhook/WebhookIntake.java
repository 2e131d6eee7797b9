package dev.metering.webhook;

import java.time.Clock;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import dev.metering.delivery.DeliveryObservationConvention;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.provider.ProviderWebhooks;

/**
 * Where a provider's webhooks are posted, and what receives them there: what the route of
 * either web stack ({@link WebhookEndpoint}, {@link ReactiveWebhookEndpoint}) is made of.
 *
 * @since 0.1.0
 */
public final class WebhookIntake {

	private final String path;

	private final WebhookReception reception;

	private WebhookIntake(String path, WebhookReception reception) {
		this.path = path;
		this.reception = reception;
	}

	/**
	 * The intake of a provider's webhooks.
	 * @param path the path deliveries are posted to
	 * @param provider the provider's name: for logs, and to tell its event IDs from
	 * another's
	 * @param webhooks checks and reads the provider's deliveries
	 * @param receipts tells whether an event was handled before
	 * @param caches where the caches of the provider's look-ups are changed
	 * @param outbox where delivered events are dead-lettered
	 * @param observations where the dead-lettering of refused usage is observed
	 * @param convention the application's convention of those observations, or
	 * {@code null} for the default one
	 * @param clock tells when a refusal became known
	 */
	public static WebhookIntake of(String path, String provider, ProviderWebhooks webhooks, WebhookReceipts receipts,
			CacheChangeSharing caches, DeliveryQueue outbox, ObservationRegistry observations,
			@Nullable DeliveryObservationConvention convention, Clock clock) {
		ProviderEventHandler events = new ProviderEventHandler(provider, caches.changes(), outbox, observations, clock);
		if (convention != null) {
			events.setObservationConvention(convention);
		}
		return new WebhookIntake(path, new WebhookReception(provider, webhooks, receipts, events));
	}

	/** The path deliveries are posted to. */
	public String path() {
		return this.path;
	}

	WebhookReception reception() {
		return this.reception;
	}

}
