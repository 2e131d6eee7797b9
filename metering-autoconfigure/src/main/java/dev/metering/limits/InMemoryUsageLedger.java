package dev.metering.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Usage ledger of one application instance, in memory.
 */
public final class InMemoryUsageLedger implements UsageLedger {

	private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();

	private final Map<String, Long> lastCallSizes = new ConcurrentHashMap<>();

	@Override
	public long used(String referenceId, String limitKey, BillingPeriod period) {
		Tally tally = this.tallies.get(new Key(referenceId, limitKey, period));
		if (tally == null) {
			return 0;
		}
		synchronized (tally) {
			return tally.used;
		}
	}

	@Override
	public Admission tryReserve(String referenceId, String limitKey, BillingPeriod period, long limit,
			long estimate) {
		Tally tally = tally(referenceId, limitKey, period);
		synchronized (tally) {
			if (tally.used + tally.reserved >= limit) {
				return new Admission.Refused(tally.used, limit, period);
			}
			tally.reserved += estimate;
			return new Admission.Reservation(referenceId, limitKey, period, estimate);
		}
	}

	@Override
	public void settle(Admission.Reservation reservation, long actual) {
		Tally tally = tally(reservation.referenceId(), reservation.limitKey(), reservation.period());
		synchronized (tally) {
			tally.reserved -= reservation.amount();
			tally.used += actual;
		}
		if (actual > 0) {
			this.lastCallSizes.put(reservation.referenceId() + '\0' + reservation.limitKey(), actual);
		}
	}

	@Override
	public void add(String referenceId, String limitKey, BillingPeriod period, long amount) {
		Tally tally = tally(referenceId, limitKey, period);
		synchronized (tally) {
			tally.used += amount;
		}
		if (amount > 0) {
			this.lastCallSizes.put(referenceId + '\0' + limitKey, amount);
		}
	}

	@Override
	public long lastCallSize(String referenceId, String limitKey) {
		return this.lastCallSizes.getOrDefault(referenceId + '\0' + limitKey, 0L);
	}

	private Tally tally(String referenceId, String limitKey, BillingPeriod period) {
		return this.tallies.computeIfAbsent(new Key(referenceId, limitKey, period), (key) -> new Tally());
	}

	private record Key(String referenceId, String limitKey, BillingPeriod period) {
	}

	private static final class Tally {

		private long used;

		private long reserved;

	}

}
