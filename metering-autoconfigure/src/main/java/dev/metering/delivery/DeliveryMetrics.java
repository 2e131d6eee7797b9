package dev.metering.delivery;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import dev.metering.provider.DeliveryOutcome;

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

	/**
	 * An event was delivered this long after it was recorded; not called for events stored
	 * before the outbox kept when they were recorded.
	 */
	default void deliveredAfter(Duration sinceRecorded) {
	}

	default void retried() {
	}

	default void deadLettered() {
	}

	/** @param events how many events were merged into others */
	default void coalesced(int events) {
	}

	/**
	 * Makes one delivery request to the provider, for one event or a batch, so that it can be
	 * timed and traced; what the request throws is thrown on.
	 * @param events how many events the request carries
	 * @param request sends them and answers their outcomes, in order
	 * @return what {@code request} answered
	 */
	default List<DeliveryOutcome> request(int events, Supplier<List<DeliveryOutcome>> request) {
		return request.get();
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
