package dev.metering;

import java.time.Instant;

/**
 * Published through the application's event publisher when an organization's usage
 * reaches one of {@code metering.limits.thresholds} (percent of a plan limit): once per
 * organization, limit key, threshold and billing period, across all instances when the
 * usage ledger is in the database, and not again after a restart. Listeners run on a
 * metering thread or on the thread of the call that reached the threshold; give slow work
 * to an executor.
 *
 * @param referenceId the organization or user ID
 * @param limitKey the limit key
 * @param used usage counted against the limit when the threshold was noticed
 * @param limit the limit
 * @param thresholdPercent the threshold reached, in percent of the limit
 * @param periodStart start of the billing period, inclusive
 * @param periodEnd end of the billing period, exclusive
 * @since 0.1.0
 */
public record UsageThresholdReachedEvent(String referenceId, String limitKey, long used, long limit,
		int thresholdPercent, Instant periodStart, Instant periodEnd) {
}
