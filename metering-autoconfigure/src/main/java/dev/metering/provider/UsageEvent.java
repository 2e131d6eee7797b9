package dev.metering.provider;

import java.time.Instant;

import dev.metering.UsageDimensions;

/**
 * One usage event on its way to the provider.
 *
 * @param identifier idempotency identifier, fixed when the event is recorded and kept
 * through every retry
 * @param timestamp when the usage happened
 * @param dimensions the model and type of token the value is of, where the meter keeps them
 */
public record UsageEvent(String identifier, String eventName, String customerId, long value, Instant timestamp,
		UsageDimensions dimensions) {

	public UsageEvent {
		dimensions = (dimensions != null) ? dimensions : UsageDimensions.none();
	}

	/** An event without dimensions. */
	public UsageEvent(String identifier, String eventName, String customerId, long value, Instant timestamp) {
		this(identifier, eventName, customerId, value, timestamp, UsageDimensions.none());
	}

}
