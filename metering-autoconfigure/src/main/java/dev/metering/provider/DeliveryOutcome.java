package dev.metering.provider;

/**
 * What became of one delivery attempt.
 */
public sealed interface DeliveryOutcome {

	/** The provider has the event (including "already have it" answers to a duplicate). */
	record Delivered() implements DeliveryOutcome {
	}

	/** A passing failure (rate limit, server error, timeout): try again later. */
	record Retry(String reason) implements DeliveryOutcome {
	}

	/** The provider will never take this event as it is. */
	record Rejected(String code, String message) implements DeliveryOutcome {
	}

	static DeliveryOutcome delivered() {
		return new Delivered();
	}

	static DeliveryOutcome retry(String reason) {
		return new Retry(reason);
	}

	static DeliveryOutcome rejected(String code, String message) {
		return new Rejected(code, message);
	}

}
