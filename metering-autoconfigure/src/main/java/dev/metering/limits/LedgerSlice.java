package dev.metering.limits;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What this instance holds of one key's quota: a slice leased from the {@link LedgerTable},
 * of which calls in flight have reserved a part, calls that ended have settled a part not yet
 * written back, and the rest is free. Calls are admitted from the free part under this
 * slice's lock alone; only when it is short does one thread at a time go to the table,
 * without the lock, to give back what it holds and lease a new slice.
 */
final class LedgerSlice {

	/** How long a refused lease stands before a waiting call asks the table again. */
	private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final LedgerKey key;

	private final LedgerTable table;

	private final ReentrantLock lock = new ReentrantLock();

	/** Signalled when a call settles or an exchange with the table ends. */
	private final Condition changed = this.lock.newCondition();

	/** Negative when calls used more than they reserved: a debt written back at once. */
	private long free;

	private long reserved;

	private long settled;

	/** Settled usage that an exchange is writing back right now. */
	private long inTransit;

	/** The usage settled by every instance, as of this slice's last exchange. */
	private long knownUsed;

	/** {@link #knownUsed} as last handed to the thresholds. */
	private long observedUsed;

	/** The limit last checked, for thresholds. */
	private long limit = Long.MAX_VALUE;

	private boolean exchanging;

	/**
	 * The last lease was one call or none: the organization is near its limit, where the free
	 * part goes back at once, since other instances may be waiting for it.
	 */
	private boolean scarce;

	private boolean flushRequested;

	private long retryAt = System.nanoTime();

	/** The limit of the last refused lease: a higher one (a plan upgrade) asks again at once. */
	private long refusedLimit = Long.MAX_VALUE;

	private boolean retired;

	/** What the last call admitted reserved: the least a renewed slice holds. */
	private long lastReservation;

	/** Periodic flushes in a row that found no call settled since the one before. */
	private int idleFlushes;

	LedgerSlice(LedgerKey key, LedgerTable table) {
		this.key = key;
		this.table = table;
	}

	/**
	 * Admits a call iff used plus reserved is under the limit, waiting until the deadline
	 * while settled usage is under it.
	 * @return the admission, or {@code null} when this slice was retired: ask a new one
	 */
	Admission reserve(long limit, long amount, Deadline deadline) {
		return reserve(limit, amount, amount, false, deadline);
	}

	/**
	 * Admits a call within the limit: its whole {@code amount} when there is room for it, else
	 * what is left when that is at least {@code minimum}, waiting until the deadline while the
	 * settled usage leaves room for the minimum.
	 * @return the admission, or {@code null} when this slice was retired: ask a new one
	 */
	Admission reserveWithin(long limit, long amount, long minimum, Deadline deadline) {
		return reserve(limit, amount, minimum, true, deadline);
	}

	/**
	 * @param minimum the least a call is admitted with: a call that may cross the limit is
	 * admitted with its whole amount or not at all
	 * @param withinLimit whether the call must stay within the limit, rather than start while
	 * settled usage is under it
	 */
	private Admission reserve(long limit, long amount, long minimum, boolean withinLimit, Deadline deadline) {
		// what the limit must leave above settled usage for the call to start
		long room = withinLimit ? minimum : 1;
		this.lock.lock();
		try {
			this.limit = limit;
			while (!this.retired) {
				long settledUsage = this.knownUsed + this.inTransit + this.settled;
				if (limit - settledUsage < room) {
					// settled usage only grows within a period: no need to ask the table
					return new Admission.Refused(settledUsage, limit, this.key.period());
				}
				if (this.free >= amount) {
					return admit(amount);
				}
				if (this.exchanging) {
					// the exchange under way may bring a slice large enough for this call too
					this.changed.awaitUninterruptibly();
					continue;
				}
				long now = System.nanoTime();
				if (now - this.retryAt >= 0 || limit > this.refusedLimit) {
					LedgerTable.Exchange exchange = exchange(amount, limit, true, withinLimit);
					this.scarce = exchange.granted() <= amount || fullyLeased(exchange, limit);
					this.free += exchange.granted();
					if (this.free >= minimum) {
						return admit(Math.min(amount, this.free));
					}
					this.retryAt = System.nanoTime() + RETRY_NANOS;
					this.refusedLimit = limit;
					continue;
				}
				if (this.free >= minimum) {
					return admit(Math.min(amount, this.free));
				}
				if (!awaitChange(now, deadline)) {
					return new Admission.Refused(settledUsage, limit, this.key.period());
				}
			}
			return null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Settles a reservation of this slice; waiting calls look again at once.
	 * @return whether to {@link #flush()} soon, rather than at the next interval
	 */
	boolean settle(long amount, long actual) {
		this.lock.lock();
		try {
			this.reserved -= amount;
			this.settled += actual;
			this.free += amount - actual;
			this.retryAt = System.nanoTime();
			this.changed.signalAll();
			if (this.scarce && !this.flushRequested) {
				this.flushRequested = true;
				return true;
			}
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Counts usage that had no reservation.
	 * @return {@code false} when this slice was retired: add to a new one
	 */
	boolean add(long amount, long limit) {
		this.lock.lock();
		try {
			if (this.retired) {
				return false;
			}
			this.settled += amount;
			this.free -= amount;
			this.limit = limit;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The usage settled by every instance, with this instance's written back first.
	 * @return the usage, or -1 when this slice was retired: read the table
	 */
	long used() {
		this.lock.lock();
		try {
			while (this.exchanging) {
				this.changed.awaitUninterruptibly();
			}
			if (this.retired) {
				return -1;
			}
			exchange(0, this.limit, false, false);
			return this.knownUsed + this.inTransit + this.settled;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Replaces the usage settled by every instance, after writing back what this instance
	 * settled and giving its free part back, so that the next call leases on the new usage.
	 * @return {@code false} when this slice was retired: set it through a new one
	 */
	boolean setUsed(long used) {
		this.lock.lock();
		try {
			while (this.exchanging) {
				this.changed.awaitUninterruptibly();
			}
			if (this.retired) {
				return false;
			}
			exchange(0, this.limit, true, false);
			this.exchanging = true;
			this.lock.unlock();
			try {
				this.table.setUsed(this.key, used);
			}
			finally {
				this.lock.lock();
				this.exchanging = false;
				this.changed.signalAll();
			}
			this.knownUsed = used;
			// a value set by hand is no usage reached: the next usage counted publishes
			this.observedUsed = used;
			this.retryAt = System.nanoTime();
			this.refusedLimit = Long.MAX_VALUE;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Writes settled usage back and gives the whole free part back, unless a call is at it:
	 * when the slice runs short near the limit, and at close.
	 */
	void flush() {
		LedgerTable.Request request = begin(FlushKind.GIVE_BACK);
		if (request == null) {
			return;
		}
		LedgerTable.Exchange exchange = null;
		try {
			exchange = this.table.exchange(request);
		}
		finally {
			endFlush(request, exchange);
		}
	}

	/**
	 * Takes what the periodic flush writes back out of the slice, for a flush of many slices
	 * in one transaction; {@link #endFlush} must follow, whatever happens. A slice that calls
	 * settled on since the last flush, far from the limit, keeps its free part, so that its
	 * calls go on being admitted in memory while the flush runs, and is topped up in the same
	 * statement when the free part is less than a call: busy organizations never wait for the
	 * table. Near the limit, and once no call has settled for two flush intervals, the free
	 * part goes back, and calls that find the slice short wait for the flush to end.
	 * @return the exchange to make, or {@code null} when there is nothing to write back or a
	 * call is at it
	 */
	LedgerTable.Request beginFlush() {
		return begin(FlushKind.PERIODIC);
	}

	private LedgerTable.Request begin(FlushKind kind) {
		this.lock.lock();
		try {
			this.flushRequested = false;
			if (this.exchanging || this.retired || (this.settled == 0 && this.free == 0)) {
				return null;
			}
			if (kind == FlushKind.PERIODIC && !this.scarce) {
				if (this.settled > 0) {
					this.idleFlushes = 0;
					if (this.lastReservation > 0) {
						long need = (this.free < this.lastReservation) ? this.lastReservation : 0;
						return begin(need, this.limit, false, true);
					}
				}
				else if (this.idleFlushes++ == 0) {
					// an organization calling a few times a second often has a quiet interval:
					// giving its slice back at once would send its next call to the table
					return null;
				}
			}
			return begin(0, this.limit, true, false);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Ends a flush begun by {@link #beginFlush()}.
	 * @param exchange the row after the exchange, or {@code null} when it was not made: what
	 * was taken out goes back into the slice, for the next flush
	 */
	void endFlush(LedgerTable.Request request, LedgerTable.Exchange exchange) {
		this.lock.lock();
		try {
			if (exchange == null) {
				undo(request);
				return;
			}
			end(exchange, request.limit());
			if (request.need() > 0) {
				this.scarce = exchange.granted() <= request.need() || fullyLeased(exchange, request.limit());
				this.free += exchange.granted();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The usage to hand to the thresholds, once per change.
	 * @return the usage settled by every instance, or -1 when unchanged since last asked
	 */
	long usedToObserve() {
		this.lock.lock();
		try {
			if (this.knownUsed == this.observedUsed) {
				return -1;
			}
			this.observedUsed = this.knownUsed;
			return this.knownUsed;
		}
		finally {
			this.lock.unlock();
		}
	}

	long limit() {
		this.lock.lock();
		try {
			return this.limit;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Retires this slice when it holds nothing, so that the ledger can forget it.
	 * @return whether it was retired
	 */
	boolean retireIfEmpty() {
		this.lock.lock();
		try {
			if (!this.exchanging && this.free == 0 && this.reserved == 0 && this.settled == 0) {
				this.retired = true;
				this.changed.signalAll();
			}
			return this.retired;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits, holding the lock, until a call settles, an exchange ends or the next lease may
	 * be asked for.
	 * @return {@code false} when the deadline passed or the thread was interrupted
	 */
	private boolean awaitChange(long now, Deadline deadline) {
		long remaining = deadline.remaining();
		if (remaining <= 0) {
			return false;
		}
		try {
			this.changed.awaitNanos(Math.min(this.retryAt - now, remaining));
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private enum FlushKind {

		/** Every flush interval: a busy slice keeps its free part. */
		PERIODIC,

		/** Everything free goes back. */
		GIVE_BACK

	}

	/** Nothing is left to lease: whoever asks next waits for quota given back. */
	private static boolean fullyLeased(LedgerTable.Exchange exchange, long limit) {
		return exchange.used() + exchange.leased() >= limit;
	}

	private Admission.Reservation admit(long amount) {
		this.free -= amount;
		this.reserved += amount;
		this.lastReservation = amount;
		return this.key.reservation(amount);
	}

	/**
	 * One statement on the table, with the lock released while it runs. Holds the lock
	 * before and after, also when the statement fails (nothing is lost then).
	 * @param returnFree whether to give the free part back; a debt is always settled up
	 * @param withinLimit whether the new slice may hold no more than what is left under the limit
	 */
	private LedgerTable.Exchange exchange(long need, long limit, boolean returnFree, boolean withinLimit) {
		LedgerTable.Request request = begin(need, limit, returnFree, withinLimit);
		this.lock.unlock();
		LedgerTable.Exchange exchange;
		try {
			exchange = this.table.exchange(request);
		}
		catch (RuntimeException ex) {
			this.lock.lock();
			undo(request);
			throw ex;
		}
		this.lock.lock();
		end(exchange, limit);
		return exchange;
	}

	/** Takes settled usage and what is given back out of the slice for an exchange; under the lock. */
	private LedgerTable.Request begin(long need, long limit, boolean returnFree, boolean withinLimit) {
		long settledNow = this.settled;
		long returned = returnFree ? this.free : Math.min(this.free, 0);
		this.settled = 0;
		this.free -= returned;
		this.inTransit = settledNow;
		this.exchanging = true;
		return new LedgerTable.Request(this.key, settledNow, returned, need, limit, withinLimit);
	}

	/** Puts back what an exchange that failed took out; under the lock. */
	private void undo(LedgerTable.Request request) {
		this.settled += request.settled();
		this.free += request.returned();
		this.inTransit = 0;
		this.exchanging = false;
		this.changed.signalAll();
	}

	/** Takes in the row after an exchange; under the lock. */
	private void end(LedgerTable.Exchange exchange, long limit) {
		this.inTransit = 0;
		this.knownUsed = exchange.used();
		this.scarce |= fullyLeased(exchange, limit);
		this.exchanging = false;
		this.changed.signalAll();
	}

}
