package dev.metering.outbox;

import java.time.Instant;

import dev.metering.provider.UsageEvent;

/**
 * A pending event with its delivery attempts so far.
 */
public record OutboxEntry(UsageEvent event, int attempts, Instant nextAttemptAt, String lastError) {
}
