package dev.metering.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.transaction.support.TransactionOperations;

import dev.metering.MeteringUnavailableException;

/**
 * Usage ledger in the application's database (H2 or PostgreSQL), shared by every instance
 * and kept across restarts, without a hot row: each instance leases a slice of an
 * organization's remaining quota with one statement, admits calls from it in memory, and
 * gives back what it does not use at the next flush.
 * <p>
 * A slice is a sixteenth of what is left under the limit, or one call's reservation when
 * that is more, so slices shrink as the organization nears its limit and, near it, hold
 * one call. A slice is leased only while used plus leased is under the limit, so usage
 * never exceeds the limit by more than the last call's reservation, however many
 * instances there are. Every flush interval each instance writes back the usage settled,
 * gives back the free quota of organizations that stopped calling or near their limit (a
 * busy one keeps its slice, topped up when short, so that its calls never wait for the
 * flush) and publishes the thresholds reached.
 * <p>
 * What an instance holds is its own for a lease, renewed by every flush with one
 * statement (its heartbeat). Each instance's hold on a key is written with every exchange
 * of the key, with when it last wrote usage back; a few times a lease every instance
 * looks for holds whose heartbeat lapsed and reclaims them: their quota goes back, and
 * the usage their instance settled after its last write-back is recovered from what its
 * outbox recorded.
 * <p>
 * Made by {@link UsageLedgers#inDatabase}.
 *
 * @since 0.1.0
 */
public final class JdbcUsageLedger implements UsageLedger, AutoCloseable {

	private static final Log logger = LogFactory.getLog(JdbcUsageLedger.class);

	/**
	 * Most keys one flush writes back in one transaction, which holds their rows till it
	 * commits.
	 */
	private static final int FLUSH_BATCH = 100;

	/**
	 * A lease when none is given: long enough for any flush, short enough to come back
	 * within a minute.
	 */
	private static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

	/**
	 * The clock the outbox stamps recorded usage with, for the time of a write-back,
	 * which a reclaim compares with those stamps, and for heartbeats, which instances
	 * compare.
	 */
	private final Clock clock;

	private final LedgerTable table;

	private final HolderTable holder;

	private final LedgerReclaim reclaim;

	private final HolderLease lease;

	private final StoreOutage outage;

	private final UsageThresholds thresholds;

	private final Map<LedgerKey, LedgerSlice> slices = new ConcurrentHashMap<>();

	private final ScheduledExecutorService flusher;

	/** How often, on the monotonic clock, holds whose lease lapsed are looked for. */
	private final long reclaimNanos;

	/** Whether this instance's heartbeat is made: by the first call or flush. */
	private volatile boolean registered;

	/** When the next look is due; on the ledger's thread alone. */
	private long reclaimAt = System.nanoTime();

	/**
	 * A ledger that holds its slices under an ID of its own, for a lease of 30 seconds,
	 * admits calls as debts while its database is away, and cannot recover what an
	 * instance that died had not written back.
	 * @param flushInterval how often usage settled is written back and free quota given
	 * back
	 */
	JdbcUsageLedger(NamedParameterJdbcOperations jdbc, TransactionOperations transactions, UsageThresholds thresholds,
			Duration flushInterval) {
		this(jdbc, transactions, thresholds, flushInterval, new LedgerHolding(UUID.randomUUID().toString(),
				DEFAULT_LEASE, StoreFailurePolicy.ALLOW, RecordedUsage.NONE), Clock.systemUTC());
	}

	/**
	 * @param flushInterval how often usage settled is written back and free quota given
	 * back, well within the lease
	 * @param holding how this instance holds its slices
	 * @param clock the clock the outbox stamps recorded usage with
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	JdbcUsageLedger(NamedParameterJdbcOperations jdbc, TransactionOperations transactions, UsageThresholds thresholds,
			Duration flushInterval, LedgerHolding holding, Clock clock) {
		this.clock = clock;
		this.table = new LedgerTable(jdbc, transactions, holding.holder());
		this.holder = new HolderTable(jdbc, transactions, holding.holder());
		this.reclaim = new LedgerReclaim(jdbc, transactions, holding.holder(), holding.recordedUsage());
		this.lease = new HolderLease(holding.lease());
		this.outage = new StoreOutage(holding.onStoreFailure());
		this.thresholds = thresholds;
		this.reclaimNanos = holding.lease().toNanos() / 4;
		this.flusher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "metering-ledger");
			thread.setDaemon(true);
			return thread;
		});
		long interval = flushInterval.toMillis();
		this.flusher.scheduleWithFixedDelay(this::flushAll, interval, interval, TimeUnit.MILLISECONDS);
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * While the database cannot be reached, the usage this instance last saw plus what
	 * settled here since, for a key it holds a slice of.
	 * @throws MeteringUnavailableException when the database cannot be reached and this
	 * instance has not read the key's usage before
	 */
	@Override
	public long used(String referenceId, String limitKey, BillingPeriod period) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		LedgerSlice slice = this.slices.get(key);
		long used = (slice != null) ? slice.used() : -1;
		if (used >= 0) {
			return used;
		}
		if (this.outage.isAway()) {
			throw this.outage.unavailable();
		}
		try {
			used = this.table.used(key);
		}
		catch (RuntimeException ex) {
			this.outage.failed(
					"Could not read the usage of '" + referenceId + "' on '" + limitKey + "' from the usage ledger",
					ex);
			throw this.outage.unavailable();
		}
		this.outage.answered();
		return used;
	}

	/**
	 * {@inheritDoc}
	 * @throws MeteringUnavailableException when the call needs quota the database cannot
	 * lease now and the policy is to reject
	 */
	@Override
	public Admission tryReserve(String referenceId, String limitKey, BillingPeriod period, long limit, long amount,
			Duration wait) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		Deadline deadline = Deadline.after(wait);
		// at least one token, so that a check before work of unknown size still needs
		// quota
		// held, and a new instance asks the table
		long reserved = Math.max(amount, 1);
		Admission admission;
		do {
			admission = slice(key).reserve(limit, reserved, deadline);
		}
		while (admission == null);
		return admission;
	}

	/**
	 * {@inheritDoc}
	 * @throws MeteringUnavailableException when the call needs quota the database cannot
	 * lease now and the policy is to reject
	 */
	@Override
	public Admission tryReserveWithin(String referenceId, String limitKey, BillingPeriod period, long limit,
			long amount, long minimum, Duration wait) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		Deadline deadline = Deadline.after(wait);
		long reserved = Math.max(amount, 1);
		Admission admission;
		do {
			admission = slice(key).reserveWithin(limit, reserved, Math.min(Math.max(minimum, 1), reserved), deadline);
		}
		while (admission == null);
		return admission;
	}

	@Override
	public void settle(Admission.Reservation reservation, long actual) {
		// a slice with a reservation in flight is never retired
		LedgerKey key = LedgerKey.of(reservation);
		LedgerSlice slice = slice(key);
		if (slice.settle(reservation.amount(), actual)) {
			try {
				this.flusher.execute(() -> flush(key, slice, true));
			}
			catch (RejectedExecutionException ex) {
				// closing: the last flush writes it back
			}
		}
	}

	@Override
	public void add(String referenceId, String limitKey, BillingPeriod period, long limit, long amount) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		boolean added;
		do {
			added = slice(key).add(amount, limit);
		}
		while (!added);
	}

	/**
	 * Writes back what this instance settled and gives its slice back first, so that the
	 * next call leases from the table on the new usage.
	 * @throws MeteringUnavailableException when the database cannot be reached
	 */
	@Override
	public void setUsed(String referenceId, String limitKey, BillingPeriod period, long used) {
		InMemoryUsageLedger.requireNotNegative(used);
		changeUsed(new LedgerKey(referenceId, limitKey, period), "set the usage of",
				(slice) -> slice.setUsed(used) ? used : -1);
	}

	/**
	 * Writes back what this instance settled and gives its slice back first, then takes
	 * the usage off the table's row in one statement, so that the next call leases on
	 * what is left. Usage another instance settled and has not written back yet (within a
	 * flush interval) is not in the row: what is given back of it stops at zero.
	 * @throws MeteringUnavailableException when the database cannot be reached
	 */
	@Override
	public long giveBack(String referenceId, String limitKey, BillingPeriod period, long amount) {
		InMemoryUsageLedger.requireNotNegative(amount, "amount");
		return changeUsed(new LedgerKey(referenceId, limitKey, period), "give back usage of",
				(slice) -> slice.giveBack(amount));
	}

	/**
	 * Changes the usage of a key through its slice, through a new one when it was retired
	 * meanwhile.
	 * @param what what the change does, for the error
	 * @param change the change, answering the usage after it or -1 when the slice was
	 * retired
	 */
	private long changeUsed(LedgerKey key, String what, ToLongFunction<LedgerSlice> change) {
		long used;
		do {
			try {
				used = change.applyAsLong(slice(key));
			}
			catch (RuntimeException ex) {
				this.outage.failed("Could not " + what + " '" + key.referenceId() + "' on '" + key.limitKey()
						+ "' in the usage ledger", ex);
				throw this.outage.unavailable();
			}
		}
		while (used < 0);
		return used;
	}

	/**
	 * Writes back what every slice holds but its reservations in flight, stops flushing,
	 * and takes this instance's heartbeat away unless reservations in flight still hold
	 * quota (their holds are reclaimed once the lease lapses, with the usage the outbox
	 * recorded of them). Thresholds reached since the last flush are left to the next
	 * instance that looks: the application's listeners may be gone already.
	 */
	@Override
	public void close() throws InterruptedException {
		this.flusher.shutdown();
		this.flusher.awaitTermination(10, TimeUnit.SECONDS);
		boolean written = true;
		for (Map.Entry<LedgerKey, LedgerSlice> slice : this.slices.entrySet()) {
			written &= flush(slice.getKey(), slice.getValue(), false);
		}
		if (!written) {
			logger.warn("Closing with usage not written back to the usage ledger: another instance recovers it "
					+ "once this one's lease lapses");
			return;
		}
		try {
			this.holder.leave();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not take this instance's heartbeat out of the usage ledger; another instance takes "
					+ "what it holds back once its lease lapses", ex);
		}
	}

	private LedgerSlice slice(LedgerKey key) {
		registered();
		return this.slices.computeIfAbsent(key,
				(k) -> new LedgerSlice(k, this.table, this.lease, this.outage, this.clock));
	}

	/**
	 * Renews the heartbeat, writes every slice back, and now and then reclaims the holds
	 * of instances whose lease lapsed.
	 */
	private void flushAll() {
		if (!registered()) {
			return;
		}
		renew();
		writeBackAll();
		long now = System.nanoTime();
		if (now - this.reclaimAt >= 0) {
			this.reclaimAt = now + this.reclaimNanos;
			reclaimLapsed();
		}
	}

	/**
	 * Makes the heartbeat, by the first call or the first flush, whichever comes first:
	 * not when the ledger is made, so that the application's database is read only once
	 * start-up has checked that the metering tables are there. A failure is an outage
	 * like any other: the next call or flush tries again.
	 * @return whether the heartbeat is made
	 */
	private boolean registered() {
		if (this.registered) {
			return true;
		}
		synchronized (this.holder) {
			if (!this.registered) {
				long start = System.nanoTime();
				try {
					this.holder.register(this.clock.instant().plus(this.lease.duration()));
					this.lease.renewed(start);
					this.outage.answered();
					this.registered = true;
				}
				catch (RuntimeException ex) {
					this.outage.failed("Could not make this instance's heartbeat in the usage ledger (are its tables "
							+ "there? see metering.jdbc.initialize-schema)", ex);
				}
			}
			return this.registered;
		}
	}

	/**
	 * Renews the heartbeat. One found gone or marked by a reclaim is made again, once
	 * that reclaim has committed, and only then does a new lease epoch begin, in which
	 * each slice finds its hold before it admits from memory again; the holds found
	 * reclaimed are taken in at once.
	 */
	private void renew() {
		long start = System.nanoTime();
		try {
			if (!this.holder.extend(this.clock.instant().plus(this.lease.duration()))) {
				this.holder.register(this.clock.instant().plus(this.lease.duration()));
				this.lease.lost();
				logger.warn("This instance's lease on what it holds in the usage ledger lapsed (it renewed nothing for "
						+ "longer than metering.limits.lease) and another instance may have reclaimed it; taking the "
						+ "reclaim in");
				takeInReclaims();
			}
			this.lease.renewed(start);
			this.outage.answered();
		}
		catch (RuntimeException ex) {
			this.outage.failed("Could not renew this instance's heartbeat in the usage ledger", ex);
		}
	}

	private void takeInReclaims() {
		for (LedgerKey key : this.holder.reclaimed()) {
			takeInReclaim(key);
		}
	}

	/**
	 * Takes in a reclaimed hold: into its slice, or away when the slice was retired
	 * since.
	 */
	private void takeInReclaim(LedgerKey key) {
		LedgerSlice slice = this.slices.get(key);
		if (slice != null) {
			slice.takeInReclaim();
		}
		else {
			this.table.takeReclaimed(key);
		}
	}

	/**
	 * Writes every slice back, {@value #FLUSH_BATCH} to a transaction, in the order of
	 * their keys, which every instance keeps, so that flushes never wait for each other
	 * in a circle.
	 */
	private void writeBackAll() {
		List<LedgerKey> keys = new ArrayList<>(this.slices.keySet());
		keys.sort(LedgerKey.ORDER);
		for (int from = 0; from < keys.size(); from += FLUSH_BATCH) {
			List<LedgerKey> batch = keys.subList(from, Math.min(from + FLUSH_BATCH, keys.size()));
			try {
				writeBackAll(batch);
			}
			catch (RuntimeException ex) {
				this.outage.failed("Could not write the usage of " + batch.size() + " organization limit(s) back to "
						+ "the usage ledger, trying again in the next flush", ex);
			}
		}
	}

	/**
	 * A batch, again after each hold found reclaimed is taken in (at most once a key).
	 */
	private void writeBackAll(List<LedgerKey> keys) {
		for (int attempt = 0; attempt <= keys.size(); attempt++) {
			try {
				writeBack(keys);
				return;
			}
			catch (HoldReclaimedException ex) {
				takeInReclaim(ex.key());
			}
		}
	}

	private void writeBack(List<LedgerKey> keys) {
		List<LedgerSlice> flushed = new ArrayList<>(keys.size());
		List<LedgerTable.Request> requests = new ArrayList<>(keys.size());
		for (LedgerKey key : keys) {
			LedgerSlice slice = this.slices.get(key);
			LedgerTable.Request request = (slice != null) ? slice.beginFlush() : null;
			if (request != null) {
				flushed.add(slice);
				requests.add(request);
			}
		}
		List<LedgerTable.Exchange> rows = null;
		try {
			rows = this.table.exchangeAll(requests);
		}
		finally {
			for (int i = 0; i < flushed.size(); i++) {
				flushed.get(i).endFlush(requests.get(i), (rows != null) ? rows.get(i) : null);
			}
		}
		if (!requests.isEmpty()) {
			this.outage.answered();
		}
		for (int i = 0; i < flushed.size(); i++) {
			if (rows.get(i) == null) {
				// usage added without a reservation to a key that has no row yet: it
				// makes its row
				flush(requests.get(i).key(), flushed.get(i), false);
			}
		}
		for (LedgerKey key : keys) {
			LedgerSlice slice = this.slices.get(key);
			if (slice != null) {
				observeAndRetire(key, slice);
			}
		}
	}

	/**
	 * Reclaims the holds of instances whose lease lapsed, and forgets holds of nothing
	 * this instance's retired slices left.
	 */
	private void reclaimLapsed() {
		try {
			this.reclaim.run(this.clock.instant());
			this.holder.deleteIdle(this.clock.instant().minus(this.lease.duration()));
		}
		catch (RuntimeException ex) {
			this.outage.failed("Could not reclaim the usage ledger slices of instances whose lease lapsed, trying "
					+ "again later", ex);
		}
	}

	/**
	 * @param observe whether to publish the thresholds reached and forget the slice if it
	 * holds nothing (not at close: the application's listeners may be gone)
	 * @return whether the slice was written back
	 */
	private boolean flush(LedgerKey key, LedgerSlice slice, boolean observe) {
		try {
			slice.flush();
			if (observe) {
				observeAndRetire(key, slice);
			}
			return true;
		}
		catch (RuntimeException ex) {
			this.outage.failed("Could not write usage of '" + key.referenceId() + "' on '" + key.limitKey()
					+ "' back to the usage ledger, trying again in the next flush", ex);
			return false;
		}
	}

	/**
	 * Publishes the thresholds the usage written back reached, and forgets a slice that
	 * holds nothing.
	 */
	private void observeAndRetire(LedgerKey key, LedgerSlice slice) {
		long used = slice.usedToObserve();
		if (used >= 0) {
			this.thresholds.observe(key, used, slice.limit());
		}
		this.slices.computeIfPresent(key, (k, current) -> current.retireIfEmpty() ? null : current);
	}

}
