package dev.metering;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Where a subject stands against one plan limit in its current billing period, as the
 * limit sees it: what a usage dashboard shows.
 *
 * @param plan the subject's plan
 * @param limitKey the limit key
 * @param used usage counted against the limit in the period
 * @param limit the limit, or {@code null} when unlimited
 * @param remaining {@code max(limit - used, 0)}, or {@code null} when unlimited
 * @param periodStart start of the billing period, inclusive
 * @param periodEnd end of the billing period, exclusive
 * @param level how close the subject is to the limit
 * @since 0.1.0
 */
public record UsageStatus(String plan, String limitKey, long used, @Nullable Long limit, @Nullable Long remaining,
		Instant periodStart, Instant periodEnd, Level level) {

	/** Where {@code used} stands against {@code limit} ({@code null}: unlimited). */
	public static UsageStatus of(String plan, String limitKey, long used, @Nullable Long limit, Instant periodStart,
			Instant periodEnd) {
		Long remaining = (limit != null) ? Math.max(limit - used, 0) : null;
		return new UsageStatus(plan, limitKey, used, limit, remaining, periodStart, periodEnd, Level.of(used, limit));
	}

	/** How close usage is to its limit, with the thresholds usage dashboards use. */
	public enum Level {

		/** Below 75 % of the limit. */
		OK,
		/** At or above 75 % of the limit. */
		APPROACHING,
		/** At or above 90 % of the limit. */
		CRITICAL,
		/** At or above the limit: further calls are refused under enforcement. */
		EXCEEDED,
		/** No limit. */
		UNLIMITED;

		/**
		 * The level of {@code used} against {@code limit}; {@code null} means unlimited.
		 */
		public static Level of(long used, @Nullable Long limit) {
			if (limit == null) {
				return UNLIMITED;
			}
			if (used >= limit) {
				return EXCEEDED;
			}
			// limit - limit / 10 is 90 % of the limit rounded up, exact and free of
			// overflow
			if (used >= limit - limit / 10) {
				return CRITICAL;
			}
			return (used >= limit - limit / 4) ? APPROACHING : OK;
		}

	}

}
