package dev.metering.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Usage ledger of one application instance, in memory: it resets when the application
 * restarts, and every instance counts only its own calls.
 * <p>
 * Made by {@link UsageLedgers#inMemory}.
 *
 * @since 0.1.0
 */
public final class InMemoryUsageLedger implements UsageLedger {

	private final Map<LedgerKey, Tally> tallies = new ConcurrentHashMap<>();

	private final UsageThresholds thresholds;

	InMemoryUsageLedger(UsageThresholds thresholds) {
		this.thresholds = thresholds;
	}

	@Override
	public long used(String referenceId, String limitKey, BillingPeriod period) {
		Tally tally = this.tallies.get(new LedgerKey(referenceId, limitKey, period));
		if (tally == null) {
			return 0;
		}
		tally.lock.lock();
		try {
			return tally.used;
		}
		finally {
			tally.lock.unlock();
		}
	}

	@Override
	public Admission tryReserve(String referenceId, String limitKey, BillingPeriod period, long limit, long amount,
			Duration wait) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		Tally tally = tally(key);
		Deadline deadline = Deadline.after(wait);
		tally.lock.lock();
		try {
			tally.limit = limit;
			while (tally.used + tally.reserved >= limit) {
				if (tally.used >= limit || !awaitSettlement(tally, deadline)) {
					return new Admission.Refused(tally.used, limit, period);
				}
			}
			tally.reserved += amount;
			return key.reservation(amount);
		}
		finally {
			tally.lock.unlock();
		}
	}

	@Override
	public Admission tryReserveWithin(String referenceId, String limitKey, BillingPeriod period, long limit,
			long amount, long minimum, Duration wait) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		Tally tally = tally(key);
		Deadline deadline = Deadline.after(wait);
		tally.lock.lock();
		try {
			tally.limit = limit;
			while (true) {
				long room = limit - tally.used - tally.reserved;
				if (room >= minimum && room > 0) {
					long reserved = Math.min(amount, room);
					tally.reserved += reserved;
					return key.reservation(reserved);
				}
				if (limit - tally.used < minimum || !awaitSettlement(tally, deadline)) {
					return new Admission.Refused(tally.used, limit, period);
				}
			}
		}
		finally {
			tally.lock.unlock();
		}
	}

	@Override
	public void settle(Admission.Reservation reservation, long actual) {
		LedgerKey key = LedgerKey.of(reservation);
		Tally tally = tally(key);
		long used;
		long limit;
		tally.lock.lock();
		try {
			tally.reserved -= reservation.amount();
			tally.used += actual;
			used = tally.used;
			limit = tally.limit;
			tally.settled.signalAll();
		}
		finally {
			tally.lock.unlock();
		}
		this.thresholds.observe(key, used, limit);
	}

	@Override
	public void add(String referenceId, String limitKey, BillingPeriod period, long limit, long amount) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		Tally tally = tally(key);
		long used;
		tally.lock.lock();
		try {
			tally.used += amount;
			tally.limit = limit;
			used = tally.used;
		}
		finally {
			tally.lock.unlock();
		}
		this.thresholds.observe(key, used, limit);
	}

	@Override
	public void setUsed(String referenceId, String limitKey, BillingPeriod period, long used) {
		requireNotNegative(used);
		Tally tally = tally(new LedgerKey(referenceId, limitKey, period));
		tally.lock.lock();
		try {
			tally.used = used;
			// calls waiting for reservations decide again on the new usage
			tally.settled.signalAll();
		}
		finally {
			tally.lock.unlock();
		}
	}

	/**
	 * Waits, holding the tally's lock, for a reservation to settle.
	 * @return {@code false} when the deadline passed or the thread was interrupted
	 */
	private static boolean awaitSettlement(Tally tally, Deadline deadline) {
		long remaining = deadline.remaining();
		if (remaining <= 0) {
			return false;
		}
		try {
			tally.settled.awaitNanos(remaining);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public long giveBack(String referenceId, String limitKey, BillingPeriod period, long amount) {
		requireNotNegative(amount, "amount");
		Tally tally = this.tallies.get(new LedgerKey(referenceId, limitKey, period));
		if (tally == null) {
			return 0;
		}
		tally.lock.lock();
		try {
			tally.used = Math.max(tally.used - amount, 0);
			tally.settled.signalAll();
			return tally.used;
		}
		finally {
			tally.lock.unlock();
		}
	}

	static void requireNotNegative(long used) {
		requireNotNegative(used, "used");
	}

	static void requireNotNegative(long value, String argument) {
		if (value < 0) {
			throw new IllegalArgumentException(argument + " must not be negative, was " + value);
		}
	}

	private Tally tally(LedgerKey key) {
		return this.tallies.computeIfAbsent(key, (k) -> new Tally());
	}

	private static final class Tally {

		private final ReentrantLock lock = new ReentrantLock();

		/** Signalled when a reservation settles, for calls waiting on reservations. */
		private final Condition settled = this.lock.newCondition();

		private long used;

		private long reserved;

		/** The limit last checked, for thresholds. */
		private long limit = Long.MAX_VALUE;

	}

}
