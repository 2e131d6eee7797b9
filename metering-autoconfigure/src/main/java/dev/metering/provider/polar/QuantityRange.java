package dev.metering.provider.polar;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * A time range as Polar's meter quantities can answer it: Polar sums whole buckets of an
 * interval (UTC) from the bucket holding {@code start_timestamp} to the one holding
 * {@code end_timestamp}, and limits how many days each interval may span. The range is
 * widened to whole buckets of the finest interval allowed for its length.
 *
 * @param from start of the first bucket, inclusive
 * @param to end of the last bucket, exclusive
 * @param interval Polar's name of the interval
 * @param lastBucket start of the last bucket, which Polar takes as {@code end_timestamp}
 */
record QuantityRange(Instant from, Instant to, String interval, Instant lastBucket) {

	/** Polar refuses quantities that start earlier. */
	static final Instant POLAR_EPOCH = Instant.parse("2023-01-01T00:00:00Z");

	/**
	 * The whole buckets that cover {@code [start, end)}, starting no earlier than
	 * {@link #POLAR_EPOCH}.
	 * @throws IllegalArgumentException when the range is longer than Polar answers
	 */
	static QuantityRange covering(Instant start, Instant end) {
		Instant first = start.isBefore(POLAR_EPOCH) ? POLAR_EPOCH : start;
		for (Interval interval : Interval.values()) {
			ZonedDateTime from = interval.floor(first);
			ZonedDateTime to = interval.floor(end);
			if (to.isBefore(end.atZone(ZoneOffset.UTC))) {
				to = interval.next(to);
			}
			if (!to.isAfter(from)) {
				to = interval.next(from);
			}
			ZonedDateTime last = interval.previous(to);
			long days = ChronoUnit.DAYS.between(LocalDate.from(from), LocalDate.from(last));
			if (days <= interval.maxDays) {
				return new QuantityRange(from.toInstant(), to.toInstant(), interval.name, last.toInstant());
			}
		}
		throw new IllegalArgumentException("Polar reads meter quantities over at most " + Interval.YEAR.maxDays
				+ " days, not from " + start + " to " + end);
	}

	/**
	 * The buckets of {@code bucket} (an hour or a day) from {@code start} to {@code end},
	 * both on bucket boundaries as {@code UsageBuckets} checked.
	 * @throws IllegalArgumentException when the range starts before {@link #POLAR_EPOCH}
	 * or is longer than Polar answers at that interval
	 */
	static QuantityRange ofBuckets(Instant start, Instant end, Duration bucket) {
		Interval interval = (bucket.compareTo(Duration.ofDays(1)) >= 0) ? Interval.DAY : Interval.HOUR;
		if (start.isBefore(POLAR_EPOCH)) {
			throw new IllegalArgumentException("Polar reads meter quantities from " + POLAR_EPOCH + ", not " + start);
		}
		Instant last = end.minus(bucket);
		long days = ChronoUnit.DAYS.between(LocalDate.ofInstant(start, ZoneOffset.UTC),
				LocalDate.ofInstant(last, ZoneOffset.UTC));
		if (days > interval.maxDays) {
			throw new IllegalArgumentException("Polar reads meter quantities per " + interval.name + " over at most "
					+ interval.maxDays + " days, not from " + start + " to " + end);
		}
		return new QuantityRange(start, end, interval.name, last);
	}

	/** Polar's intervals, finest first, with the most days each may span. */
	private enum Interval {

		HOUR("hour", 7, ChronoUnit.HOURS), DAY("day", 366, ChronoUnit.DAYS), MONTH("month", 365 * 4, ChronoUnit.MONTHS),
		YEAR("year", 365 * 10, ChronoUnit.YEARS);

		private final String name;

		private final long maxDays;

		private final ChronoUnit unit;

		Interval(String name, long maxDays, ChronoUnit unit) {
			this.name = name;
			this.maxDays = maxDays;
			this.unit = unit;
		}

		ZonedDateTime floor(Instant instant) {
			ZonedDateTime time = instant.atZone(ZoneOffset.UTC);
			return switch (this) {
				case HOUR -> time.truncatedTo(ChronoUnit.HOURS);
				case DAY -> time.truncatedTo(ChronoUnit.DAYS);
				case MONTH -> time.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
				case YEAR -> time.withDayOfYear(1).truncatedTo(ChronoUnit.DAYS);
			};
		}

		ZonedDateTime next(ZonedDateTime bucket) {
			return bucket.plus(1, this.unit);
		}

		ZonedDateTime previous(ZonedDateTime bucket) {
			return bucket.minus(1, this.unit);
		}

	}

}
