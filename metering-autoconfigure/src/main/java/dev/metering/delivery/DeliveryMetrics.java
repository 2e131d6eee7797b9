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

}
