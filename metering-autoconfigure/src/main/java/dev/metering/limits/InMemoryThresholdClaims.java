package dev.metering.limits;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Threshold claims of one application instance, in memory. Only the latest period of each
 * organization and limit key is kept: a late claim for an earlier period is refused.
 */
final class InMemoryThresholdClaims implements ThresholdClaims {

	private final Map<KeyOfLimit, Claimed> claimed = new ConcurrentHashMap<>();

	@Override
	public boolean claim(String referenceId, String limitKey, BillingPeriod period, int percent) {
		KeyOfLimit key = new KeyOfLimit(referenceId, limitKey);
		Claimed current = this.claimed.get(key);
		if (current != null && !current.claimable(period, percent)) {
			return false;
		}
		boolean[] won = new boolean[1];
		this.claimed.compute(key, (k, latest) -> {
			if (latest == null || latest.period().start().isBefore(period.start())) {
				won[0] = true;
				return new Claimed(period, Set.of(percent));
			}
			if (!latest.claimable(period, percent)) {
				return latest;
			}
			won[0] = true;
			return latest.with(percent);
		});
		return won[0];
	}

	/**
	 * Takes back a claim that could not be made good, so that it can be claimed again.
	 */
	void forget(String referenceId, String limitKey, BillingPeriod period, int percent) {
		this.claimed.computeIfPresent(new KeyOfLimit(referenceId, limitKey),
				(key, latest) -> latest.period().equals(period) ? latest.without(percent) : latest);
	}

	private record KeyOfLimit(String referenceId, String limitKey) {
	}

	private record Claimed(BillingPeriod period, Set<Integer> percents) {

		/** Unclaimed in this period, or the period is newer than this one. */
		boolean claimable(BillingPeriod other, int percent) {
			return this.period.equals(other) ? !this.percents.contains(percent)
					: this.period.start().isBefore(other.start());
		}

		Claimed with(int percent) {
			Set<Integer> more = new HashSet<>(this.percents);
			more.add(percent);
			return new Claimed(this.period, Set.copyOf(more));
		}

		Claimed without(int percent) {
			Set<Integer> fewer = new HashSet<>(this.percents);
			fewer.remove(percent);
			return new Claimed(this.period, Set.copyOf(fewer));
		}

	}

}
