package dev.metering.provider.local;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.metering.UsageDimensions;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * Where the local meter keeps its per-minute sums per event name and customer (and, for
 * events with dimensions, per model and type of token too), and the identifiers it has
 * counted. Sums saturate at {@link Long#MAX_VALUE}: they never wrap into negatives.
 *
 * @since 0.1.0
 */
public interface LocalMeterStore {

	/**
	 * Adds an event to the sum of its minute, unless its identifier was counted before
	 * (which is delivered too). Must not throw: every failure is an outcome.
	 */
	DeliveryOutcome add(UsageEvent event);

	/**
	 * The sum of the minutes from the one holding {@code start} up to {@code end},
	 * exclusive; {@code null} bounds are open.
	 */
	long sum(String eventName, String customerId, @Nullable Instant start, @Nullable Instant end);

	/**
	 * The sum of the events with the dimensions a filter admits, over the minutes from
	 * the one holding {@code start} up to {@code end}, exclusive; {@code null} bounds are
	 * open.
	 */
	long sum(String eventName, String customerId, UsageDimensions filter, @Nullable Instant start,
			@Nullable Instant end);

	/** How many distinct events were counted for a customer on an event name. */
	long eventCount(String eventName, String customerId);

	/**
	 * Takes a counted event off the sum of its minute (never below zero) and off the
	 * count of events; its identifier stays counted, so that a redelivery does not count
	 * it again. By default the store cannot.
	 * @param event the event as it was counted
	 * @throws UnsupportedOperationException by default, for a store that cannot
	 */
	default void remove(UsageEvent event) {
		throw new UnsupportedOperationException(getClass().getName() + " cannot remove usage");
	}

}
