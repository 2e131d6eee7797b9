package dev.metering.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Webhook events handled by any instance on the database, in {@code metering_webhook_event}:
 * the primary key lets one claim of an event succeed, whichever instance the duplicate
 * reaches. Events older than the retention are deleted, at most once an hour.
 */
public final class JdbcWebhookReceipts implements WebhookReceipts {

	private static final Duration PURGE_INTERVAL = Duration.ofHours(1);

	private final JdbcTemplate jdbc;

	private final Duration retention;

	private final Clock clock;

	private final AtomicReference<Instant> nextPurge = new AtomicReference<>(Instant.MIN);

	/**
	 * @param retention how long an event is remembered
	 * @param clock tells when an event was claimed
	 */
	public JdbcWebhookReceipts(DataSource dataSource, Duration retention, Clock clock) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.retention = retention;
		this.clock = clock;
	}

	@Override
	public boolean claim(String provider, String eventId) {
		Instant now = this.clock.instant();
		purgeIfDue(now);
		try {
			this.jdbc.update("INSERT INTO metering_webhook_event (provider, event_id, received_at) VALUES (?, ?, ?)",
					provider, eventId, now.toEpochMilli());
			return true;
		}
		catch (DuplicateKeyException ex) {
			return false;
		}
	}

	@Override
	public void release(String provider, String eventId) {
		this.jdbc.update("DELETE FROM metering_webhook_event WHERE provider = ? AND event_id = ?", provider, eventId);
	}

	private void purgeIfDue(Instant now) {
		Instant due = this.nextPurge.get();
		if (!now.isBefore(due) && this.nextPurge.compareAndSet(due, now.plus(PURGE_INTERVAL))) {
			this.jdbc.update("DELETE FROM metering_webhook_event WHERE received_at < ?",
					now.minus(this.retention).toEpochMilli());
		}
	}

}
