package dev.metering;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Aggregated usage of one meter for one customer.
 *
 * @param startTime start of the window, inclusive; {@code null} for all-time usage
 * @param endTime end of the window, exclusive; {@code null} for all-time usage
 * @since 0.1.0
 */
public record MeterUsageSummary(String meterId, String customerId, long aggregatedValue, @Nullable Instant startTime,
		@Nullable Instant endTime) {
}
