package dev.metering.limits;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * What this instance holds of one key's quota: a slice leased from the
 * {@link LedgerTable}, of which calls in flight have reserved a part, calls that ended
 * have settled a part not yet written back, and the rest is free. Calls are admitted from
 * the free part under this slice's lock alone, while this instance's
 * {@linkplain HolderLease lease} surely holds; only when it is short, or the lease is in
 * doubt, does one thread at a time go to the table, without the lock, to give back what
 * it holds and lease a new slice. Every exchange writes this instance's hold on the key
 * with it, so that another instance can give the slice back if this one dies.
 */
final class LedgerSlice {

	/** How long a refused lease stands before a waiting call asks the table again. */
	private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final LedgerKey key;

	private final LedgerTable table;

	private final HolderLease lease;

	private final StoreOutage outage;

	/**
	 * The clock usage is stamped with when it is recorded: when a write-back took usage
	 * out.
	 */
	private final Clock clock;

	private final ReentrantLock lock = new ReentrantLock();

	/** Signalled when a call settles or an exchange with the table ends. */
	private final Condition changed = this.lock.newCondition();

	/** The slice's quota and usage, replaced on each change. */
	private SliceBalance balance = SliceBalance.EMPTY;

	/** {@link SliceBalance#knownUsed()} as last handed to the thresholds. */
	private long observedUsed;

	/** The limit last checked, for thresholds. */
	private long limit = Long.MAX_VALUE;

	private boolean exchanging;

	/**
	 * The last lease was one call or none: the organization is near its limit, where the
	 * free part goes back at once, since other instances may be waiting for it.
	 */
	private boolean scarce;

	private boolean flushRequested;

	private long retryAt = System.nanoTime();

	/**
	 * The limit of the last refused lease: a higher one (a plan upgrade) asks again at
	 * once.
	 */
	private long refusedLimit = Long.MAX_VALUE;

	/**
	 * The limit of the last exchange: under a lower one (a plan downgrade) the free part,
	 * leased under this one, goes back to be leased again before a call is admitted from
	 * it.
	 */
	private long leasedLimit;

	private boolean retired;

	/** What the last call admitted reserved: the least a renewed slice holds. */
	private long lastReservation;

	/** Periodic flushes in a row that found no call settled since the one before. */
	private int idleFlushes;

	/**
	 * Whether the hold on the key was written, and so must be found at the next exchange.
	 */
	private boolean holdWritten;

	/** The lease epoch in which the table last confirmed the hold; none yet. */
	private int epoch = -1;

	/** The lease epoch when the exchange under way began. */
	private int exchangeEpoch;

	/** The millisecond the last usage was settled in, and the usage settled in it. */
	private long tailMilli = -1;

	private long tailUsage;

	LedgerSlice(LedgerKey key, LedgerTable table, HolderLease lease, StoreOutage outage, Clock clock) {
		this.key = key;
		this.table = table;
		this.lease = lease;
		this.outage = outage;
		this.clock = clock;
	}

	/**
	 * Admits a call iff used plus reserved is under the limit, waiting until the deadline
	 * while settled usage is under it.
	 * @return the admission, or {@code null} when this slice was retired: ask a new one
	 */
	@Nullable Admission reserve(long limit, long amount, Deadline deadline) {
		return reserve(limit, amount, amount, false, deadline);
	}

	/**
	 * Admits a call within the limit: its whole {@code amount} when there is room for it,
	 * else what is left when that is at least {@code minimum}, waiting until the deadline
	 * while the settled usage leaves room for the minimum.
	 * @return the admission, or {@code null} when this slice was retired: ask a new one
	 */
	@Nullable Admission reserveWithin(long limit, long amount, long minimum, Deadline deadline) {
		return reserve(limit, amount, minimum, true, deadline);
	}

	/**
	 * @param minimum the least a call is admitted with: a call that may cross the limit
	 * is admitted with its whole amount or not at all
	 * @param withinLimit whether the call must stay within the limit, rather than start
	 * while settled usage is under it
	 */
	private @Nullable Admission reserve(long limit, long amount, long minimum, boolean withinLimit, Deadline deadline) {
		// what the limit must leave above settled usage for the call to start
		long room = withinLimit ? minimum : 1;
		this.lock.lock();
		try {
			this.limit = limit;
			while (!this.retired) {
				long settledUsage = this.balance.settledUsage();
				if (limit - settledUsage < room) {
					// settled usage only grows within a period: no need to ask the table
					return new Admission.Refused(settledUsage, limit, this.key.period());
				}
				boolean leased = this.lease.covers(this.epoch) && limit >= this.leasedLimit;
				if (leased && this.balance.covers(amount)) {
					return admit(amount);
				}
				if (this.exchanging) {
					// the exchange under way may bring a slice large enough for this call
					// too
					this.changed.awaitUninterruptibly();
					continue;
				}
				if (this.outage.isAway()) {
					return admitWithoutTable(amount);
				}
				long now = System.nanoTime();
				// the lease is in doubt, or was under a higher limit, but the slice holds
				// enough: one
				// exchange finds its hold, or leases again under this limit
				boolean leaseAgainNow = !leased && this.balance.covers(minimum);
				if (now - this.retryAt >= 0 || limit > this.refusedLimit || leaseAgainNow) {
					LedgerTable.Exchange exchange;
					try {
						exchange = exchange(amount, limit, true, withinLimit);
					}
					catch (RuntimeException ex) {
						this.outage.failed("Could not lease quota of '" + this.key.referenceId() + "' on '"
								+ this.key.limitKey() + "' from the usage ledger", ex);
						return admitWithoutTable(amount);
					}
					this.scarce = exchange.granted() <= amount || fullyLeased(exchange, limit);
					if (this.balance.covers(minimum)) {
						return admit(Math.min(amount, this.balance.free()));
					}
					this.retryAt = System.nanoTime() + RETRY_NANOS;
					this.refusedLimit = limit;
					continue;
				}
				if (leased && this.balance.covers(minimum)) {
					return admit(Math.min(amount, this.balance.free()));
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
	 * Admits a call that needs quota the table cannot lease now, as a debt on this slice
	 * that the next exchange settles up, or refuses it.
	 * @throws dev.metering.MeteringUnavailableException when the policy is to reject
	 */
	private Admission admitWithoutTable(long amount) {
		this.outage.requireAllowed();
		return admit(amount);
	}

	/**
	 * Settles a reservation of this slice; waiting calls look again at once.
	 * @return whether to {@link #flush()} soon, rather than at the next interval
	 */
	boolean settle(long amount, long actual) {
		this.lock.lock();
		try {
			this.balance = this.balance.settle(amount, actual);
			stamp(actual);
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
			this.balance = this.balance.add(amount);
			stamp(amount);
			this.limit = limit;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The usage settled by every instance, with this instance's written back first; while
	 * the table cannot be reached, as this slice last saw it plus what settled here
	 * since.
	 * @return the usage, or -1 when this slice was retired: read the table
	 * @throws dev.metering.MeteringUnavailableException when the table cannot be reached
	 * and this slice never could read it
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
			if (!this.outage.isAway()) {
				try {
					exchange(0, this.limit, false, false);
				}
				catch (RuntimeException ex) {
					this.outage.failed("Could not read the usage of '" + this.key.referenceId() + "' on '"
							+ this.key.limitKey() + "' from the usage ledger", ex);
				}
			}
			if (!this.balance.known()) {
				throw this.outage.unavailable();
			}
			return this.balance.settledUsage();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Replaces the usage settled by every instance, after writing back what this instance
	 * settled and giving its free part back, so that the next call leases on the new
	 * usage.
	 * @return {@code false} when this slice was retired: set it through a new one
	 */
	boolean setUsed(long used) {
		return changeUsed(() -> {
			this.table.setUsed(this.key, used);
			return used;
		}) >= 0;
	}

	/**
	 * Takes usage off what every instance settled, never below zero, after writing back
	 * what this instance settled and giving its free part back, so that the next call
	 * leases on what is left.
	 * @return the usage settled afterwards, or -1 when this slice was retired: give it
	 * back through a new one
	 */
	long giveBack(long amount) {
		return changeUsed(() -> this.table.giveBack(this.key, amount));
	}

	/**
	 * Writes back what this instance settled and gives its free part back, then changes
	 * the usage in the table, without the lock.
	 * @param change the change, answering the usage settled after it
	 * @return the usage settled after the change, or -1 when this slice was retired
	 */
	private long changeUsed(LongSupplier change) {
		this.lock.lock();
		try {
			while (this.exchanging) {
				this.changed.awaitUninterruptibly();
			}
			if (this.retired) {
				return -1;
			}
			exchange(0, this.limit, true, false);
			this.exchanging = true;
			this.lock.unlock();
			long used;
			try {
				used = change.getAsLong();
			}
			finally {
				this.lock.lock();
				this.exchanging = false;
				this.changed.signalAll();
			}
			this.balance = this.balance.replaceUsed(used);
			// usage set by hand or given back reaches no threshold: the next usage
			// counted
			// publishes
			this.observedUsed = used;
			this.retryAt = System.nanoTime();
			this.refusedLimit = Long.MAX_VALUE;
			return used;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Writes settled usage back and gives the whole free part back, unless a call is at
	 * it: when the slice runs short near the limit, and at close.
	 */
	void flush() {
		LedgerTable.Exchange exchange;
		do {
			LedgerTable.Request request = begin(FlushKind.GIVE_BACK);
			if (request == null) {
				return;
			}
			try {
				exchange = write(request);
			}
			catch (RuntimeException ex) {
				endFlush(request, null);
				throw ex;
			}
			if (exchange != null) {
				endFlush(request, exchange);
			}
		}
		while (exchange == null);
	}

	/**
	 * Takes what the periodic flush writes back out of the slice, for a flush of many
	 * slices in one transaction; {@link #endFlush} must follow, whatever happens. A slice
	 * that calls settled on since the last flush, far from the limit, keeps its free
	 * part, so that its calls go on being admitted in memory while the flush runs, and is
	 * topped up in the same statement when the free part is less than a call: busy
	 * organizations never wait for the table. Near the limit, and once no call has
	 * settled for two flush intervals, the free part goes back, and calls that find the
	 * slice short wait for the flush to end.
	 * @return the exchange to make, or {@code null} when there is nothing to write back
	 * or a call is at it
	 */
	LedgerTable.@Nullable Request beginFlush() {
		return begin(FlushKind.PERIODIC);
	}

	private LedgerTable.@Nullable Request begin(FlushKind kind) {
		this.lock.lock();
		try {
			this.flushRequested = false;
			if (this.exchanging || this.retired || this.balance.nothingToWriteBack()) {
				return null;
			}
			if (kind == FlushKind.PERIODIC && !this.scarce) {
				if (this.balance.settled() > 0) {
					this.idleFlushes = 0;
					if (this.lastReservation > 0) {
						long need = this.balance.covers(this.lastReservation) ? 0 : this.lastReservation;
						return begin(need, this.limit, false, true);
					}
				}
				else if (this.idleFlushes++ == 0) {
					// an organization calling a few times a second often has a quiet
					// interval:
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
	 * @param exchange the row after the exchange, or {@code null} when it was not made:
	 * what was taken out goes back into the slice, for the next flush
	 */
	void endFlush(LedgerTable.Request request, LedgerTable.@Nullable Exchange exchange) {
		this.lock.lock();
		try {
			if (exchange == null) {
				undo();
				return;
			}
			end(request, exchange);
			if (request.need() > 0) {
				this.scarce = exchange.granted() <= request.need() || fullyLeased(exchange, request.limit());
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
			long knownUsed = this.balance.knownUsed();
			if (knownUsed == this.observedUsed) {
				return -1;
			}
			this.observedUsed = knownUsed;
			return knownUsed;
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
			if (!this.exchanging && this.balance.isEmpty()) {
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
	 * Waits, holding the lock, until a call settles, an exchange ends or the next lease
	 * may be asked for.
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
		this.balance = this.balance.reserve(amount);
		this.lastReservation = amount;
		return this.key.reservation(amount);
	}

	/**
	 * One exchange with the table, with the lock released while it runs. Holds the lock
	 * before and after, also when the exchange fails (nothing is lost then).
	 * @param returnFree whether to give the free part back; a debt is always settled up
	 * @param withinLimit whether the new slice may hold no more than what is left under
	 * the limit
	 */
	private LedgerTable.Exchange exchange(long need, long limit, boolean returnFree, boolean withinLimit) {
		LedgerTable.Exchange exchange;
		do {
			LedgerTable.Request request = begin(need, limit, returnFree, withinLimit);
			this.lock.unlock();
			try {
				exchange = write(request);
			}
			catch (RuntimeException ex) {
				this.lock.lock();
				undo();
				throw ex;
			}
			this.lock.lock();
			if (exchange != null) {
				end(request, exchange);
			}
		}
		while (exchange == null);
		return exchange;
	}

	/**
	 * Makes an exchange begun under the lock, without the lock.
	 * @return the row after it, or {@code null} when the hold had been reclaimed: the
	 * exchange is ended, the reclaim taken in, and it is to begin again
	 */
	private LedgerTable.@Nullable Exchange write(LedgerTable.Request request) {
		LedgerTable.Exchange exchange;
		try {
			exchange = this.table.exchange(request);
		}
		catch (HoldReclaimedException ex) {
			Long recovered = this.table.takeReclaimed(this.key);
			this.lock.lock();
			try {
				undo();
				takeIn(recovered);
			}
			finally {
				this.lock.unlock();
			}
			return null;
		}
		this.outage.answered();
		return exchange;
	}

	/**
	 * Takes in that another instance reclaimed this slice's hold, found out by the ledger
	 * rather than by an exchange of this slice's.
	 */
	void takeInReclaim() {
		this.lock.lock();
		try {
			while (this.exchanging) {
				this.changed.awaitUninterruptibly();
			}
			this.exchanging = true;
		}
		finally {
			this.lock.unlock();
		}
		Long recovered;
		try {
			recovered = this.table.takeReclaimed(this.key);
		}
		catch (RuntimeException ex) {
			endTakeIn(false, null);
			throw ex;
		}
		endTakeIn(true, recovered);
	}

	private void endTakeIn(boolean taken, @Nullable Long recovered) {
		this.lock.lock();
		try {
			if (taken) {
				takeIn(recovered);
			}
			this.exchanging = false;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Takes in a reclaim of the hold; under the lock. What the slice held went back to
	 * the table's leased quota, so its free part is gone, calls in flight settle as
	 * debts, and of the usage settled here only what the reclaim did not recover from the
	 * outbox is left to write back. A hold that held quota and is gone without a record
	 * of its reclaim (kept until the period ends) was reclaimed too, with all it could
	 * recover.
	 * @param recovered what the reclaim recovered, or {@code null} when there is no
	 * record of one: a hold of nothing deleted as idle is written again
	 */
	private void takeIn(@Nullable Long recovered) {
		if (this.holdWritten && (recovered != null || this.balance.held() != 0)) {
			this.balance = this.balance.takeInReclaim((recovered != null) ? recovered : this.balance.settled());
		}
		// a reclaimed hold of a slice retired before is in the way of this one's: gone
		// now
		this.holdWritten = false;
	}

	/** Counts usage settled in the millisecond it settled in; under the lock. */
	private void stamp(long usage) {
		if (usage == 0) {
			return;
		}
		long milli = this.clock.millis();
		if (milli != this.tailMilli) {
			this.tailMilli = milli;
			this.tailUsage = 0;
		}
		this.tailUsage += usage;
	}

	/**
	 * Takes settled usage and what is given back out of the slice for an exchange; under
	 * the lock. Usage settled from now on is stamped at or after this millisecond when
	 * recorded.
	 */
	private LedgerTable.Request begin(long need, long limit, boolean returnFree, boolean withinLimit) {
		long writtenAt = this.clock.millis();
		this.balance = this.balance.startWriteBack(returnFree);
		this.exchanging = true;
		this.exchangeEpoch = this.lease.epoch();
		return new LedgerTable.Request(this.key, this.balance.inTransit(), this.balance.returning(), need, limit,
				withinLimit, this.balance.held(), this.holdWritten, writtenAt,
				(writtenAt == this.tailMilli) ? this.tailUsage : 0);
	}

	/** Puts back what an exchange that failed took out; under the lock. */
	private void undo() {
		this.balance = this.balance.failWriteBack();
		this.exchanging = false;
		this.changed.signalAll();
	}

	/**
	 * Takes in the row after an exchange, and the new slice it granted; under the lock.
	 * The hold was found as it was left, so the slice may admit from memory in the lease
	 * epoch the exchange began in.
	 */
	private void end(LedgerTable.Request request, LedgerTable.Exchange exchange) {
		this.balance = this.balance.finishWriteBack(exchange.used(), exchange.granted());
		this.holdWritten |= request.writesHold(exchange.granted());
		this.epoch = this.exchangeEpoch;
		this.leasedLimit = request.limit();
		this.scarce |= fullyLeased(exchange, request.limit());
		this.exchanging = false;
		this.changed.signalAll();
	}

}
