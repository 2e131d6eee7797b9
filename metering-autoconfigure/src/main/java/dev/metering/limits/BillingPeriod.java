package dev.metering.limits;

import java.time.Instant;

/**
 * A billing period: start inclusive, end exclusive.
 *
 * @since 0.1.0
 */
public record BillingPeriod(Instant start, Instant end) {
}
