package dev.metering.outbox;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.UsageEvent;

/**
 * An event the provider refused for good, with the reason.
 *
 * @since 0.1.0
 */
public record DeadLetter(UsageEvent event, String code, @Nullable String message, int attempts, Instant failedAt) {
}
