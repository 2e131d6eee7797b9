package dev.metering.webhook;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Webhook events handled by this instance, remembered for a while: a duplicate delivered
 * to another instance, or after a restart, is handled again.
 */
final class InMemoryWebhookReceipts implements WebhookReceipts {

	private final Cache<String, Boolean> claimed;

	/**
	 * @param retention how long an event is remembered
	 * @param maximumSize the most events remembered; the oldest go first
	 * @param ticker the time source
	 */
	InMemoryWebhookReceipts(Duration retention, long maximumSize, Ticker ticker) {
		this.claimed = Caffeine.newBuilder()
			.ticker(ticker)
			.expireAfterWrite(retention)
			.maximumSize(maximumSize)
			.build();
	}

	@Override
	public boolean claim(String provider, String eventId) {
		return this.claimed.asMap().putIfAbsent(key(provider, eventId), Boolean.TRUE) == null;
	}

	@Override
	public void release(String provider, String eventId) {
		this.claimed.invalidate(key(provider, eventId));
	}

	private static String key(String provider, String eventId) {
		return provider + '\0' + eventId;
	}

}
