package dev.metering.webhook;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Ticker;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.metering.lock.InstanceLock;

/**
 * Makes the webhook receipts: in this instance's memory, or in the application's database
 * where every instance and a restart see them.
 *
 * @since 0.1.0
 */
public final class WebhookReceiptStores {

	private WebhookReceiptStores() {
	}

	/**
	 * Receipts remembered by this instance for a while: a duplicate delivered to another
	 * instance, or after a restart, is handled again.
	 * @param retention how long an event is remembered
	 * @param maximumSize the most events remembered; the oldest go first
	 * @param ticker the time source
	 */
	public static WebhookReceipts inMemory(Duration retention, long maximumSize, Ticker ticker) {
		return new InMemoryWebhookReceipts(retention, maximumSize, ticker);
	}

	/**
	 * Receipts in the table {@code metering_webhook_event} (H2 or PostgreSQL).
	 * @param retention how long an event is remembered
	 * @param clock tells when an event was claimed
	 * @param lock lets one instance of those sharing the table purge it
	 */
	public static WebhookReceipts inDatabase(JdbcClient jdbc, Duration retention, Clock clock, InstanceLock lock) {
		return new JdbcWebhookReceipts(jdbc, retention, clock, lock);
	}

}
