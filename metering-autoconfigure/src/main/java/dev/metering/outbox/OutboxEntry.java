package dev.metering.outbox;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.UsageEvent;

/**
 * A pending event with its delivery attempts so far.
 *
 * @param recordedAt when the event was recorded, which its timestamp (when the usage
 * happened, possibly long before) need not tell; for a merged event, when the first of
 * the events it covers was recorded; {@code null} for an event stored before the outbox
 * kept it
 * @since 0.1.0
 */
public record OutboxEntry(UsageEvent event, int attempts, Instant nextAttemptAt, @Nullable String lastError,
		@Nullable Instant recordedAt) {

	/** An entry whose recording time is not known. */
	public OutboxEntry(UsageEvent event, int attempts, Instant nextAttemptAt, @Nullable String lastError) {
		this(event, attempts, nextAttemptAt, lastError, null);
	}

}
