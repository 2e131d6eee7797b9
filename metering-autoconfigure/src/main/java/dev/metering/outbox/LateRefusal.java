package dev.metering.outbox;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.UsageEvent;

/**
 * What became of an event that the provider reported refused after it had accepted it, as
 * Stripe does for events of its v2 meter event stream, which it validates asynchronously.
 *
 * @param outcome what the outbox did
 * @param event the event the outbox holds under the identifier, or {@code null} when it
 * holds none
 * @see DeliveryQueue#deadLetterDelivered
 * @since 0.1.0
 */
public record LateRefusal(Outcome outcome, @Nullable UsageEvent event) {

	/** The outbox holds no delivered event under the identifier. */
	public static LateRefusal notFound() {
		return new LateRefusal(Outcome.NOT_FOUND, null);
	}

	/** What the outbox did with an event refused after delivery. */
	public enum Outcome {

		/** It was delivered; it is now a dead letter with the provider's reason. */
		DEAD_LETTERED,
		/** It was a dead letter already, and stays as it was. */
		ALREADY_DEAD_LETTER,
		/**
		 * The outbox holds no delivered event under the identifier: it never had one, it
		 * has forgotten it (an outbox in memory forgets delivered events; a database
		 * outbox keeps them for its retention), or the event is still pending, to be sent
		 * and judged again.
		 */
		NOT_FOUND

	}

}
