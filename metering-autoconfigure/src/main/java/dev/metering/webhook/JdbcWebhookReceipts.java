package dev.metering.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.metering.lock.InstanceLock;

/**
 * Webhook events handled by any instance on the database, in
 * {@code metering_webhook_event}: the primary key lets one claim of an event succeed,
 * whichever instance the duplicate reaches. Events older than the retention are deleted
 * once an hour, by one instance of those sharing the table: the one holding the purge's
 * lock.
 */
final class JdbcWebhookReceipts implements WebhookReceipts {

	private static final Duration PURGE_INTERVAL = Duration.ofHours(1);

	private static final String PURGE_LOCK = "purge metering_webhook_event";

	private static final String CLAIM = """
			INSERT INTO metering_webhook_event (provider, event_id, received_at) VALUES (:provider, :eventId, :now)
			""";

	private static final String RELEASE = """
			DELETE FROM metering_webhook_event WHERE provider = :provider AND event_id = :eventId
			""";

	private static final String PURGE = """
			DELETE FROM metering_webhook_event WHERE received_at < :before
			""";

	private final JdbcClient jdbc;

	private final Duration retention;

	private final Clock clock;

	private final InstanceLock lock;

	private final AtomicReference<Instant> nextPurge = new AtomicReference<>(Instant.MIN);

	/**
	 * @param retention how long an event is remembered
	 * @param clock tells when an event was claimed
	 * @param lock lets one instance of those sharing the table purge it
	 */
	JdbcWebhookReceipts(JdbcClient jdbc, Duration retention, Clock clock, InstanceLock lock) {
		this.jdbc = jdbc;
		this.retention = retention;
		this.clock = clock;
		this.lock = lock;
	}

	@Override
	public boolean claim(String provider, String eventId) {
		Instant now = this.clock.instant();
		purgeIfDue(now);
		try {
			this.jdbc.sql(CLAIM)
				.param("provider", provider)
				.param("eventId", eventId)
				.param("now", now.toEpochMilli())
				.update();
			return true;
		}
		catch (DuplicateKeyException ex) {
			return false;
		}
	}

	@Override
	public void release(String provider, String eventId) {
		this.jdbc.sql(RELEASE).param("provider", provider).param("eventId", eventId).update();
	}

	private void purgeIfDue(Instant now) {
		Instant due = this.nextPurge.get();
		if (!now.isBefore(due) && this.nextPurge.compareAndSet(due, now.plus(PURGE_INTERVAL))) {
			this.lock.runAlone(PURGE_LOCK, PURGE_INTERVAL,
					() -> this.jdbc.sql(PURGE).param("before", now.minus(this.retention).toEpochMilli()).update());
		}
	}

}
