package dev.metering.test;

import java.time.Instant;
import java.util.Objects;

import dev.metering.UsageDimensions;
import dev.metering.provider.UsageEvent;

/**
 * One usage event as the {@link RecordingMeterProvider} received it.
 *
 * @param identifier the idempotency identifier, as {@code recordUsage} answered it
 * @param eventName the meter's event name
 * @param customerId the provider customer ID billed
 * @param value the quantity, e.g. tokens
 * @param timestamp when the usage happened
 * @param dimensions the model and type of token the event carries, on a meter with
 * {@code metering.meters.<key>.dimensions}; {@link UsageDimensions#none()} otherwise
 */
public record RecordedEvent(String identifier, String eventName, String customerId, long value, Instant timestamp,
		UsageDimensions dimensions) {

	public RecordedEvent {
		dimensions = (dimensions != null) ? dimensions : UsageDimensions.none();
	}

	/** An event without dimensions. */
	public RecordedEvent(String identifier, String eventName, String customerId, long value, Instant timestamp) {
		this(identifier, eventName, customerId, value, timestamp, UsageDimensions.none());
	}

	static RecordedEvent of(UsageEvent event) {
		// a provider is given events once their customer is named
		return new RecordedEvent(event.identifier(), event.eventName(), Objects.requireNonNull(event.customerId()),
				event.value(), event.timestamp(), event.dimensions());
	}

	/** One line of an assertion's failure message. */
	@Override
	public String toString() {
		StringBuilder line = new StringBuilder(this.eventName).append(' ')
			.append(this.value)
			.append(" for ")
			.append(this.customerId);
		if (this.dimensions.model() != null) {
			line.append(" of model ").append(this.dimensions.model());
		}
		if (this.dimensions.tokenType() != null) {
			line.append(" in ").append(this.dimensions.tokenType()).append(" tokens");
		}
		return line.append(" at ")
			.append(this.timestamp)
			.append(" (identifier ")
			.append(this.identifier)
			.append(')')
			.toString();
	}

}
