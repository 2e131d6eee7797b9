package dev.metering.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.metering.MeterUsageSummary;

/**
 * Usage per bucket: the buckets a range is cut into and the summaries that answer them.
 * Hosted meters group by whole UTC hours or days only, so those are the buckets every
 * provider agrees on, and a range must start and end on them.
 *
 * @since 0.1.0
 */
public final class UsageBuckets {

	/** One hour. */
	public static final Duration HOUR = Duration.ofHours(1);

	/** One day, UTC. */
	public static final Duration DAY = Duration.ofDays(1);

	/** The most buckets one query answers: a year of days, a month of hours. */
	public static final int MAX_BUCKETS = 1000;

	private UsageBuckets() {
	}

	/**
	 * The start of every bucket of {@code [start, end)}, in order.
	 * @throws IllegalArgumentException when the bucket is not one hour or one day, a
	 * bound is missing or not on a bucket boundary (UTC), or the range is empty or too
	 * long
	 */
	public static List<Instant> starts(Instant start, Instant end, Duration bucket) {
		if (!HOUR.equals(bucket) && !DAY.equals(bucket)) {
			throw new IllegalArgumentException("bucket must be one hour (PT1H) or one day (P1D), was " + bucket);
		}
		if (start == null || end == null) {
			throw new IllegalArgumentException("usage per bucket needs both a start and an end");
		}
		long seconds = bucket.toSeconds();
		for (Instant bound : List.of(start, end)) {
			if (bound.getNano() != 0 || Math.floorMod(bound.getEpochSecond(), seconds) != 0) {
				throw new IllegalArgumentException(bound + " is not the start of a UTC "
						+ ((seconds == 3600) ? "hour" : "day") + ": usage per bucket needs ranges of whole buckets");
			}
		}
		if (!start.isBefore(end)) {
			throw new IllegalArgumentException("start (" + start + ") must be before end (" + end + ")");
		}
		long count = (end.getEpochSecond() - start.getEpochSecond()) / seconds;
		if (count > MAX_BUCKETS) {
			throw new IllegalArgumentException(
					"at most " + MAX_BUCKETS + " buckets per query, not " + count + " from " + start + " to " + end);
		}
		List<Instant> starts = new ArrayList<>((int) count);
		for (Instant at = start; at.isBefore(end); at = at.plus(bucket)) {
			starts.add(at);
		}
		return starts;
	}

	/**
	 * One summary per bucket of {@code [start, end)}, with the value found for its start,
	 * else zero: providers leave out buckets without usage.
	 */
	public static List<MeterUsageSummary> summaries(String meterId, String customerId, Instant start, Instant end,
			Duration bucket, Map<Instant, Long> valuesByStart) {
		return starts(start, end, bucket).stream()
			.map((at) -> new MeterUsageSummary(meterId, customerId, valuesByStart.getOrDefault(at, 0L), at,
					at.plus(bucket)))
			.toList();
	}

}
