package dev.metering.test;

import java.time.Instant;

import dev.metering.provider.UsageEvent;

/**
 * One usage event as the {@link RecordingMeterProvider} received it.
 *
 * @param identifier the idempotency identifier, as {@code recordUsage} answered it
 * @param eventName the meter's event name
 * @param customerId the provider customer ID billed
 * @param value the quantity, e.g. tokens
 * @param timestamp when the usage happened
 */
public record RecordedEvent(String identifier, String eventName, String customerId, long value, Instant timestamp) {

	static RecordedEvent of(UsageEvent event) {
		return new RecordedEvent(event.identifier(), event.eventName(), event.customerId(), event.value(),
				event.timestamp());
	}

	/** One line of an assertion's failure message. */
	@Override
	public String toString() {
		return this.eventName + " " + this.value + " for " + this.customerId + " at " + this.timestamp
				+ " (identifier " + this.identifier + ")";
	}

}
