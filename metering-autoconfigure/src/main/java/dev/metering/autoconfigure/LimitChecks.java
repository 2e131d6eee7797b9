package dev.metering.autoconfigure;

import java.time.Duration;
import java.util.List;

/**
 * The values of {@code metering.limits} that the usage ledgers use, checked as they are
 * read.
 */
final class LimitChecks {

	/**
	 * The shortest lease: five of the usage ledger's 200 ms flushes, so that a flush or
	 * two that take long do not let another instance reclaim quota still in use.
	 */
	private static final Duration MIN_LEASE = Duration.ofSeconds(1);

	private LimitChecks() {
	}

	/** The thresholds, percentages from 1 to 100, each once and in order. */
	static List<Integer> thresholds(MeteringLimitsProperties limits) {
		for (Integer threshold : limits.thresholds()) {
			if (threshold == null || threshold < 1 || threshold > 100) {
				throw new InvalidMeteringPropertyException(MeteringLimitsProperties.PREFIX + ".thresholds",
						limits.thresholds(), "must be percentages from 1 to 100, was " + limits.thresholds());
			}
		}
		return limits.thresholds().stream().distinct().sorted().toList();
	}

	/** The lease of the database ledger's quota, at least a few flushes long. */
	static Duration lease(MeteringLimitsProperties limits) {
		if (limits.lease().compareTo(MIN_LEASE) < 0) {
			throw new InvalidMeteringPropertyException(MeteringLimitsProperties.PREFIX + ".lease", limits.lease(),
					"must be at least 1s, five times the usage ledger's flush interval of 200ms, was "
							+ limits.lease());
		}
		return limits.lease();
	}

}
