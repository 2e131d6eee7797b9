package dev.metering;

import org.jspecify.annotations.Nullable;

/**
 * Result of checking usage against a plan limit.
 *
 * @param allowed {@code true} iff usage so far is below the limit, or there is no limit
 * @param limit the limit, or {@code null} when unlimited
 * @param remaining {@code max(limit - currentUsage, 0)}; {@link Long#MAX_VALUE} when
 * unlimited
 * @param hasSubscription whether the subject has a subscription of its own rather than
 * the default plan
 * @since 0.1.0
 */
public record PlanLimitCheck(boolean allowed, @Nullable Long limit, long remaining, boolean hasSubscription) {
}
