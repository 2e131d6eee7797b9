package dev.metering.outbox;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * What waits in the outbox, at one moment: events pending delivery and dead letters, in
 * all and per event name, and when the oldest pending event was recorded.
 *
 * @param pending events recorded and not yet delivered nor dead-lettered, including those
 * still on their way to the outbox's table
 * @param pendingByEventName pending events per event name, of those stored
 * @param deadLetters events the provider refused for good, waiting to be re-driven
 * @param deadLettersByEventName dead letters per event name
 * @param oldestPendingRecordedAt when the oldest pending event was recorded, {@code null}
 * when none is pending
 * @param awaitingCustomer pending events that wait for the provider to name their
 * customer (counted in {@code pending} too): usage of calls let through while it could
 * not
 * @since 0.1.0
 */
public record OutboxBacklog(long pending, Map<String, Long> pendingByEventName, long deadLetters,
		Map<String, Long> deadLettersByEventName, @Nullable Instant oldestPendingRecordedAt, long awaitingCustomer) {

	public OutboxBacklog {
		pendingByEventName = new TreeMap<>(pendingByEventName);
		deadLettersByEventName = new TreeMap<>(deadLettersByEventName);
	}

	/** A backlog in which no event waits for its customer. */
	public OutboxBacklog(long pending, Map<String, Long> pendingByEventName, long deadLetters,
			Map<String, Long> deadLettersByEventName, @Nullable Instant oldestPendingRecordedAt) {
		this(pending, pendingByEventName, deadLetters, deadLettersByEventName, oldestPendingRecordedAt, 0);
	}

}
