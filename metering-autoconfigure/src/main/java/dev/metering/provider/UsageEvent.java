package dev.metering.provider;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.UsageDimensions;

/**
 * One usage event on its way to the provider.
 *
 * @param identifier idempotency identifier, fixed when the event is recorded and kept
 * through every retry
 * @param customerId the provider's customer, or {@code null} while the event waits for
 * the provider to name the customer of its subject
 * @param timestamp when the usage happened
 * @param dimensions the model and type of token the value is of, where the meter keeps
 * them
 * @param subject the organization or user whose usage it is, when metering knows it (a
 * metered call or {@code @MeteredUsage} method); {@code null} for usage recorded by
 * customer ID
 * @since 0.1.0
 */
public record UsageEvent(String identifier, String eventName, @Nullable String customerId, long value,
		Instant timestamp, UsageDimensions dimensions, @Nullable BillingSubject subject) {

	public UsageEvent {
		dimensions = (dimensions != null) ? dimensions : UsageDimensions.none();
	}

	/** An event recorded by customer ID, of no known subject. */
	public UsageEvent(String identifier, String eventName, @Nullable String customerId, long value, Instant timestamp,
			UsageDimensions dimensions) {
		this(identifier, eventName, customerId, value, timestamp, dimensions, null);
	}

	/** An event without dimensions, recorded by customer ID. */
	public UsageEvent(String identifier, String eventName, @Nullable String customerId, long value, Instant timestamp) {
		this(identifier, eventName, customerId, value, timestamp, UsageDimensions.none(), null);
	}

	/** Whether the provider's customer is known, so that the event can be delivered. */
	public boolean hasCustomer() {
		return this.customerId != null;
	}

	/** The same event, for the customer the provider named. */
	public UsageEvent forCustomer(String customerId) {
		return new UsageEvent(this.identifier, this.eventName, customerId, this.value, this.timestamp, this.dimensions,
				this.subject);
	}

}
