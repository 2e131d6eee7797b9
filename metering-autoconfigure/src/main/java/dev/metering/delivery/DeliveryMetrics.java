package dev.metering.delivery;

/**
 * Counts what becomes of the events the dispatcher sends. Counts nothing unless the
 * application has somewhere to keep them: see {@link MicrometerDeliveryMetrics}.
 */
public interface DeliveryMetrics {

	/** Counts nothing. */
	DeliveryMetrics NONE = new DeliveryMetrics() {
	};

	default void delivered() {
	}

	default void retried() {
	}

	default void deadLettered() {
	}

	/** @param events how many events were merged into others */
	default void coalesced(int events) {
	}

	/**
	 * Counts events the provider refused after it had accepted them, as its error reports tell.
	 * @param events how many
	 * @param deadLettered whether they were found delivered in the outbox and are now dead
	 * letters (also counted by {@link #deadLettered()}); those that were not are logged only
	 */
	default void refusedLate(long events, boolean deadLettered) {
	}

}
