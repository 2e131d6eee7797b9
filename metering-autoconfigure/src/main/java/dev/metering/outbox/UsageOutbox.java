package dev.metering.outbox;

import java.time.Duration;
import java.util.Optional;

import dev.metering.provider.UsageEvent;

/**
 * The outbox as the recorder sees it: where a usage event goes when it is recorded, to be
 * kept until the provider has it.
 *
 * @since 0.1.0
 */
public interface UsageOutbox {

	/**
	 * Accepts an event for delivery; once this returns, the event is the outbox's to
	 * keep.
	 * @throws IllegalArgumentException when {@link #problemWith} names a reason why the
	 * outbox cannot hold the event
	 */
	void append(UsageEvent event);

	/**
	 * Why this outbox cannot hold an event, such as a field longer than its column, so
	 * that the recorder can refuse the event instead of acknowledging what would never be
	 * stored.
	 * @return the reason, naming the field, or empty when the outbox can hold the event
	 */
	default Optional<String> problemWith(UsageEvent event) {
		return Optional.empty();
	}

	/**
	 * Whether the outbox can take the usage of another call now: {@code false} while its
	 * store is unreachable and what waits in memory for it has filled the room it has, so
	 * that calls are refused before they run rather than have their usage lost. By
	 * default, always.
	 */
	default boolean hasRoom() {
		return true;
	}

	/**
	 * Waits until the events appended so far are stored where the delivery queue finds
	 * them. By default they are once {@code append} returns.
	 * @return {@code false} when the timeout elapsed first
	 */
	default boolean awaitStored(Duration timeout) {
		return true;
	}

}
