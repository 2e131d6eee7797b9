package dev.metering.billing;

import dev.metering.limits.BillingPeriod;

/**
 * Where a subject stands against one plan limit in its current billing period.
 *
 * @param limit the limit, or {@code null} when unlimited
 * @param remaining what is left, or {@code null} when unlimited
 */
public record LimitStatus(String plan, long used, Long limit, Long remaining, BillingPeriod period) {
}
