package dev.metering.outbox;

import java.time.Instant;
import java.util.List;

import dev.metering.billing.UsageEvent;

/**
 * Holds usage events from the moment they are recorded until the provider has them.
 */
public interface UsageOutbox {

	/** Accepts an event for delivery; once this returns, the event is the outbox's to keep. */
	void append(UsageEvent event);

	/** At most {@code max} pending entries whose next attempt is due at {@code now}. */
	List<OutboxEntry> due(Instant now, int max);

	void markDelivered(String identifier);

	void scheduleRetry(String identifier, Instant nextAttemptAt, String error);

	void deadLetter(String identifier, String code, String message, Instant failedAt);

	/** Events recorded and not yet delivered nor dead-lettered. */
	long pendingCount();

	List<DeadLetter> deadLetters();

	/**
	 * Puts a dead letter back in line for delivery, under its identifier.
	 * @return whether there was such a dead letter
	 */
	boolean redrive(String identifier);

	/**
	 * Stores what waits in memory to be stored, and stores later events at once. The dispatcher
	 * calls this at shutdown before its last delivery, so that the delivery sees everything.
	 */
	default void flushQueued() {
	}

}
