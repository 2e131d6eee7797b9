package dev.metering.limits;

import java.time.Instant;

/**
 * A billing period: start inclusive, end exclusive.
 */
public record BillingPeriod(Instant start, Instant end) {
}
