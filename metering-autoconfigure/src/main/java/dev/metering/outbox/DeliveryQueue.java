package dev.metering.outbox;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;

/**
 * The outbox as the dispatcher sees it: it claims the events that are due, and settles
 * each once the provider has answered.
 *
 * @since 0.1.0
 */
public interface DeliveryQueue {

	/** At most {@code max} pending entries whose next attempt is due at {@code now}. */
	List<OutboxEntry> due(Instant now, int max);

	void markDelivered(String identifier);

	/**
	 * Gives back this instance's claims on pending events, after a pass that could not
	 * settle what it claimed (its database went away), so that the next pass takes them
	 * at once rather than when the claims lapse. They are sent again under their
	 * identifiers, which the provider counts once, and, having been claimed, are never
	 * merged. By default an outbox keeps no claims.
	 */
	default void releaseClaims() {
	}

	void scheduleRetry(String identifier, Instant nextAttemptAt, @Nullable String error);

	/**
	 * Schedules the next attempt of an event the provider held back for a reason outside
	 * it (a refused key, say), without counting the attempt: holding never runs out its
	 * attempts.
	 */
	void hold(String identifier, Instant nextAttemptAt, String reason);

	void deadLetter(String identifier, String code, @Nullable String message, Instant failedAt);

	/**
	 * Moves an event the provider accepted, and then reported refused, to the dead
	 * letters with the provider's reason, where it can be re-driven under its identifier
	 * once the cause is fixed. By default the outbox remembers no delivered event and
	 * finds none.
	 * @param identifier the identifier the provider saw
	 * @param code the provider's error code
	 * @param message the provider's error message
	 * @param failedAt when the refusal became known
	 * @return what became of the event
	 */
	default LateRefusal deadLetterDelivered(String identifier, String code, String message, Instant failedAt) {
		return LateRefusal.notFound();
	}

	/**
	 * The subjects whose events wait for the provider to name their customer and are due
	 * for a look-up at {@code now}, those waiting longest first. By default an outbox
	 * keeps no such events.
	 * @param max the most subjects to answer
	 */
	default List<BillingSubject> awaitingCustomer(Instant now, int max) {
		return List.of();
	}

	/**
	 * Names the customer of a subject's waiting events: they become pending, due at once,
	 * each under the identifier it was recorded with.
	 * @return how many events were named
	 */
	default int nameCustomer(BillingSubject subject, String customerId, Instant now) {
		return 0;
	}

	/**
	 * Keeps a subject's events waiting for their customer, for another look-up at
	 * {@code nextLookupAt}.
	 * @param reason why the provider could not name the customer
	 */
	default void awaitCustomer(BillingSubject subject, Instant nextLookupAt, @Nullable String reason) {
	}

	/**
	 * Moves a subject's waiting events to the dead letters: the provider has no customer
	 * for it. Re-driven, such an event waits for its customer again.
	 * @return how many events were dead-lettered
	 */
	default int deadLetterAwaiting(BillingSubject subject, String code, String message, Instant failedAt) {
		return 0;
	}

	/**
	 * Events recorded and not yet delivered nor dead-lettered, those waiting for their
	 * customer included.
	 */
	long pendingCount();

	/**
	 * Merges pending events that were never attempted, of one customer and one of
	 * {@code eventNames}, that happened in the same hour (UTC), into one event each with
	 * a new identifier. The merged event and the events it covers are stored in one step
	 * before anything is sent, so that a retry, even after a crash, sends the same
	 * identifier; events ever claimed for delivery are never merged, as the provider may
	 * have them. A merged event is due at once.
	 * @return how many events were merged into others
	 */
	default int coalesce(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		return 0;
	}

	/**
	 * Marks an event cancelled, so that it is never delivered (again): one pending,
	 * waiting for its customer or dead-lettered is cancelled here for good; one delivered
	 * is answered with its delivery time, for the provider to cancel it too, and put back
	 * with {@link #restoreDelivered} when the provider cannot. By default the outbox
	 * finds no event.
	 * @return the event cancelled, or empty when the outbox holds no such event or it was
	 * cancelled already
	 * @throws IllegalStateException when the event is being delivered now, or was merged
	 * into another for delivery
	 */
	default Optional<CancelledUsage> cancel(String identifier) {
		return Optional.empty();
	}

	/**
	 * Marks a delivered event that {@link #cancel} marked cancelled delivered again: the
	 * provider could not cancel it.
	 */
	default void restoreDelivered(String identifier) {
	}

	/**
	 * Forgets events delivered (or merged into delivered ones) before {@code cutoff}.
	 * Pending events and dead letters stay.
	 * @return how many were forgotten
	 */
	default int purgeSettled(Instant cutoff) {
		return 0;
	}

}
