package dev.metering.provider;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What became of one delivery attempt.
 *
 * @since 0.1.0
 */
public sealed interface DeliveryOutcome {

	/**
	 * The provider has the event (including "already have it" answers to a duplicate).
	 */
	record Delivered() implements DeliveryOutcome {
	}

	/**
	 * A passing failure (rate limit, server error, timeout): try again later.
	 *
	 * @param reason what went wrong
	 * @param notSooner the least wait the provider asked for (a {@code Retry-After}), or
	 * {@code null} when it said nothing
	 */
	record Retry(@Nullable String reason, @Nullable Duration notSooner) implements DeliveryOutcome {

		public Retry(@Nullable String reason) {
			this(reason, null);
		}

	}

	/**
	 * The provider refuses every event for now, for a reason that is not the event's (a
	 * wrong or revoked credential): hold the event back and try again later, however long
	 * that lasts, so that fixing the cause delivers the backlog. Never dead-lettered.
	 *
	 * @param reason what the provider said
	 */
	record Held(String reason) implements DeliveryOutcome {
	}

	/** The provider will never take this event as it is. */
	record Rejected(String code, @Nullable String message) implements DeliveryOutcome {
	}

	static DeliveryOutcome delivered() {
		return new Delivered();
	}

	static DeliveryOutcome retry(@Nullable String reason) {
		return new Retry(reason);
	}

	static DeliveryOutcome retry(@Nullable String reason, @Nullable Duration notSooner) {
		return new Retry(reason, notSooner);
	}

	static DeliveryOutcome held(String reason) {
		return new Held(reason);
	}

	static DeliveryOutcome rejected(String code, @Nullable String message) {
		return new Rejected(code, message);
	}

}
