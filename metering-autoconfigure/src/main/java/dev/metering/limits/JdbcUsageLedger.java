package dev.metering.limits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Usage ledger in the application's database (H2 or PostgreSQL), shared by every instance and
 * kept across restarts, without a hot row: each instance leases a slice of an organization's
 * remaining quota with one statement, admits calls from it in memory, and gives back what it
 * does not use at the next flush.
 * <p>
 * A slice is a sixteenth of what is left under the limit, or one call's reservation when that
 * is more, so slices shrink as the organization nears its limit and, near it, hold one call.
 * A slice is leased only while used plus leased is under the limit, so usage never exceeds
 * the limit by more than the last call's reservation, however many instances there are.
 * Every flush interval each instance writes back the usage settled, gives back the free quota
 * of organizations that stopped calling or near their limit (a busy one keeps its slice, topped
 * up when short, so that its calls never wait for the flush) and publishes the thresholds
 * reached. A crashed instance's slices stay leased until the period ends: they count against
 * the limit, never for it.
 */
public final class JdbcUsageLedger implements UsageLedger, AutoCloseable {

	private static final Log logger = LogFactory.getLog(JdbcUsageLedger.class);

	/** Most keys one flush writes back in one transaction, which holds their rows till it commits. */
	private static final int FLUSH_BATCH = 100;

	private final LedgerTable table;

	private final UsageThresholds thresholds;

	private final Map<LedgerKey, LedgerSlice> slices = new ConcurrentHashMap<>();

	private final ScheduledExecutorService flusher;

	/**
	 * @param flushInterval how often usage settled is written back and free quota given back
	 */
	public JdbcUsageLedger(DataSource dataSource, UsageThresholds thresholds, Duration flushInterval) {
		this.table = new LedgerTable(dataSource);
		this.thresholds = thresholds;
		this.flusher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "metering-ledger");
			thread.setDaemon(true);
			return thread;
		});
		long interval = flushInterval.toMillis();
		this.flusher.scheduleWithFixedDelay(this::flushAll, interval, interval, TimeUnit.MILLISECONDS);
	}

	@Override
	public long used(String referenceId, String limitKey, BillingPeriod period) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		LedgerSlice slice = this.slices.get(key);
		long used = (slice != null) ? slice.used() : -1;
		return (used >= 0) ? used : this.table.used(key);
	}

	@Override
	public Admission tryReserve(String referenceId, String limitKey, BillingPeriod period, long limit, long amount,
			Duration wait) {
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		Deadline deadline = Deadline.after(wait);
		// at least one token, so that a check before work of unknown size still needs quota
		// held, and a new instance asks the table
		long reserved = Math.max(amount, 1);
		Admission admission;
		do {
			admission = slice(key).reserve(limit, reserved, deadline);
		}
		while (admission == null);
		return admission;
	}

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
	 * Writes back what this instance settled and gives its slice back first, so that the next
	 * call leases from the table on the new usage.
	 */
	@Override
	public void setUsed(String referenceId, String limitKey, BillingPeriod period, long used) {
		InMemoryUsageLedger.requireNotNegative(used);
		LedgerKey key = new LedgerKey(referenceId, limitKey, period);
		boolean set;
		do {
			set = slice(key).setUsed(used);
		}
		while (!set);
	}

	/**
	 * Writes back what every slice holds but its reservations in flight, and stops flushing.
	 * Thresholds reached since the last flush are left to the next instance that looks: the
	 * application's listeners may be gone already.
	 */
	@Override
	public void close() throws InterruptedException {
		this.flusher.shutdown();
		this.flusher.awaitTermination(10, TimeUnit.SECONDS);
		this.slices.forEach((key, slice) -> flush(key, slice, false));
	}

	private LedgerSlice slice(LedgerKey key) {
		return this.slices.computeIfAbsent(key, (k) -> new LedgerSlice(k, this.table));
	}

	/**
	 * Writes every slice back, {@value #FLUSH_BATCH} to a transaction, in the order of their
	 * keys, which every instance keeps, so that flushes never wait for each other in a circle.
	 */
	private void flushAll() {
		List<LedgerKey> keys = new ArrayList<>(this.slices.keySet());
		keys.sort(LedgerKey.ORDER);
		for (int from = 0; from < keys.size(); from += FLUSH_BATCH) {
			List<LedgerKey> batch = keys.subList(from, Math.min(from + FLUSH_BATCH, keys.size()));
			try {
				flushAll(batch);
			}
			catch (RuntimeException ex) {
				logger.warn("Could not write the usage of " + batch.size() + " organization limit(s) back to the "
						+ "usage ledger; trying again in the next flush", ex);
			}
		}
	}

	private void flushAll(List<LedgerKey> keys) {
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
		for (int i = 0; i < flushed.size(); i++) {
			if (rows.get(i) == null) {
				// usage added without a reservation to a key that has no row yet: it makes its row
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
	 * @param observe whether to publish the thresholds reached and forget the slice if it holds
	 * nothing (not at close: the application's listeners may be gone)
	 */
	private void flush(LedgerKey key, LedgerSlice slice, boolean observe) {
		try {
			slice.flush();
			if (observe) {
				observeAndRetire(key, slice);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not write usage of '" + key.referenceId() + "' on '" + key.limitKey()
					+ "' back to the usage ledger; trying again in the next flush", ex);
		}
	}

	/** Publishes the thresholds the usage written back reached, and forgets a slice that holds nothing. */
	private void observeAndRetire(LedgerKey key, LedgerSlice slice) {
		long used = slice.usedToObserve();
		if (used >= 0) {
			this.thresholds.observe(key, used, slice.limit());
		}
		this.slices.computeIfPresent(key, (k, current) -> current.retireIfEmpty() ? null : current);
	}

}
