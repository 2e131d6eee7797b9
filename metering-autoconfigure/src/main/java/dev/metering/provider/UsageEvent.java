package dev.metering.provider;

import java.time.Instant;

/**
 * One usage event on its way to the provider.
 *
 * @param identifier idempotency identifier, fixed when the event is recorded and kept
 * through every retry
 * @param timestamp when the usage happened
 */
public record UsageEvent(String identifier, String eventName, String customerId, long value, Instant timestamp) {
}
