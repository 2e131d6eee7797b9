package dev.metering.outbox;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The outbox as the dispatcher sees it: it claims the events that are due, and settles each
 * once the provider has answered.
 */
public interface DeliveryQueue {

	/** At most {@code max} pending entries whose next attempt is due at {@code now}. */
	List<OutboxEntry> due(Instant now, int max);

	void markDelivered(String identifier);

	void scheduleRetry(String identifier, Instant nextAttemptAt, String error);

	/**
	 * Schedules the next attempt of an event the provider held back for a reason outside it
	 * (a refused key, say), without counting the attempt: holding never runs out its attempts.
	 */
	void hold(String identifier, Instant nextAttemptAt, String reason);

	void deadLetter(String identifier, String code, String message, Instant failedAt);

	/**
	 * Moves an event the provider accepted, and then reported refused, to the dead letters with
	 * the provider's reason, where it can be re-driven under its identifier once the cause is
	 * fixed. By default the outbox remembers no delivered event and finds none.
	 * @param identifier the identifier the provider saw
	 * @param code the provider's error code
	 * @param message the provider's error message
	 * @param failedAt when the refusal became known
	 * @return what became of the event
	 */
	default LateRefusal deadLetterDelivered(String identifier, String code, String message, Instant failedAt) {
		return LateRefusal.notFound();
	}

	/** Events recorded and not yet delivered nor dead-lettered. */
	long pendingCount();

	/**
	 * Merges pending events that were never attempted, of one customer and one of
	 * {@code eventNames}, that happened in the same hour (UTC), into one event each with a new
	 * identifier. The merged event and the events it covers are stored in one step before
	 * anything is sent, so that a retry, even after a crash, sends the same identifier; events
	 * ever claimed for delivery are never merged, as the provider may have them. A merged event
	 * is due at once.
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

}
