package dev.metering.outbox;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.metering.provider.UsageEvent;

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
	 * Merges pending events that were never attempted, of one customer and one of
	 * {@code eventNames}, that happened in the same hour (UTC), into one event each with a new
	 * identifier. The merged event and the events it covers are stored in one step before
	 * anything is sent, so that a retry, even after a crash, sends the same identifier; events
	 * ever claimed for delivery are never merged, as the provider may have them.
	 * @return how many events were merged into others
	 */
	default int coalesce(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		return 0;
	}

	/**
	 * Forgets events delivered (or merged into delivered ones) before {@code cutoff}. Pending
	 * events and dead letters stay.
	 * @return how many were forgotten
	 */
	default int purgeSettled(Instant cutoff) {
		return 0;
	}

	/**
	 * Stores what waits in memory to be stored, and stores later events at once. The dispatcher
	 * calls this at shutdown before its last delivery, so that the delivery sees everything.
	 */
	default void flushQueued() {
	}

}
