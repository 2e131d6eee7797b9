package dev.metering.limits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Gives back what instances whose lease lapsed hold: for each of their holds, in one
 * transaction with the key's row, the quota held goes back to the row ({@code leased})
 * and the usage settled on the instance after its last write-back, as its outbox recorded
 * it, is added to the usage ({@code used}); the hold stays, marked reclaimed, with what
 * was recovered, so that an instance that was only slow takes that out of what it still
 * has to write back. Any instance may run it, at any time: the first to mark a holder
 * reclaims it.
 * <p>
 * Rows are taken in {@link LedgerKey#ORDER} and each before the hold on it, as every
 * flush does, so that a reclaim and a flush never wait for each other in a circle.
 */
final class LedgerReclaim {

	private static final Log logger = LogFactory.getLog(LedgerReclaim.class);

	/** Most holds one transaction reclaims: it holds their rows until it commits. */
	private static final int BATCH = 100;

	private static final String LAPSED = """
			SELECT DISTINCT h.holder FROM metering_ledger_hold h WHERE h.recovered IS NULL AND h.holder <> :self
			AND NOT EXISTS (SELECT 1 FROM metering_ledger_holder r WHERE r.holder = h.holder
			AND r.expires_at >= :now)
			""";

	// marked with expiry 0: a renewal of the holder waits for this transaction, then
	// finds it marked
	private static final String MARK = """
			UPDATE metering_ledger_holder SET expires_at = 0 WHERE holder = :holder AND expires_at < :now
			""";

	private static final String HOLDER = """
			SELECT COUNT(*) FROM metering_ledger_holder WHERE holder = :holder
			""";

	private static final String INSERT_MARK = """
			INSERT INTO metering_ledger_holder (holder, expires_at) VALUES (:holder, 0)
			""";

	private static final String HOLDS = """
			SELECT reference_id, limit_key, period_start, period_end FROM metering_ledger_hold
			WHERE holder = :holder AND recovered IS NULL
			""";

	private static final String LOCK_ROW = """
			SELECT used FROM metering_usage_ledger WHERE reference_id = :referenceId AND limit_key = :limitKey
			AND period_start = :periodStart AND period_end = :periodEnd FOR UPDATE
			""";

	private static final String HOLD = """
			SELECT held, written_at, written_tail FROM metering_ledger_hold WHERE reference_id = :referenceId
			AND limit_key = :limitKey AND period_start = :periodStart AND period_end = :periodEnd
			AND holder = :holder AND recovered IS NULL FOR UPDATE
			""";

	private static final String GIVE_BACK = """
			UPDATE metering_usage_ledger SET used = used + :recovered, leased = leased - :held
			WHERE reference_id = :referenceId AND limit_key = :limitKey AND period_start = :periodStart
			AND period_end = :periodEnd
			""";

	private static final String MARK_HOLD = """
			UPDATE metering_ledger_hold SET held = 0, recovered = :recovered WHERE reference_id = :referenceId
			AND limit_key = :limitKey AND period_start = :periodStart AND period_end = :periodEnd
			AND holder = :holder
			""";

	private static final String DELETE_HOLDER = """
			DELETE FROM metering_ledger_holder WHERE holder = :holder AND expires_at = 0
			""";

	// kept for an instance that was only slow; once the period is over nobody asks
	private static final String DELETE_ENDED = """
			DELETE FROM metering_ledger_hold WHERE recovered IS NOT NULL AND period_end <= :now
			""";

	private final NamedParameterJdbcOperations jdbc;

	private final TransactionOperations transactions;

	private final String self;

	private final RecordedUsage recordedUsage;

	/**
	 * @param self this instance, which never reclaims its own holds
	 * @param recordedUsage where the usage an instance settled but did not write back is
	 * found
	 */
	LedgerReclaim(NamedParameterJdbcOperations jdbc, TransactionOperations transactions, String self,
			RecordedUsage recordedUsage) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.self = self;
		this.recordedUsage = recordedUsage;
	}

	/** Reclaims the holds of every instance whose lease lapsed before {@code now}. */
	void run(Instant now) {
		MapSqlParameterSource parameters = new MapSqlParameterSource("self", this.self).addValue("now",
				now.toEpochMilli());
		for (String holder : this.jdbc.queryForList(LAPSED, parameters, String.class)) {
			try {
				reclaim(holder, now);
			}
			catch (DuplicateKeyException ex) {
				// the holder made its heartbeat again while this marked it: alive
			}
		}
		this.transactions.executeWithoutResult((status) -> this.jdbc.update(DELETE_ENDED, parameters));
	}

	private void reclaim(String holder, Instant now) {
		Totals totals = new Totals();
		Batch batch;
		do {
			batch = this.transactions.execute((status) -> reclaimBatch(holder, now, totals));
		}
		while (batch == Batch.MORE);
		if (totals.holds > 0) {
			logger.warn("Reclaimed what instance " + holder + " held in the usage ledger after its lease lapsed: "
					+ totals.holds + " limit(s), " + totals.held + " of quota given back, " + totals.recovered
					+ " of usage it had not written back recovered from the outbox");
		}
	}

	private Batch reclaimBatch(String holder, Instant now, Totals totals) {
		MapSqlParameterSource parameters = new MapSqlParameterSource("holder", holder).addValue("now",
				now.toEpochMilli());
		if (this.jdbc.update(MARK, parameters) == 0) {
			Long rows = this.jdbc.queryForObject(HOLDER, parameters, Long.class);
			if (rows != null && rows > 0) {
				// renewed meanwhile: alive
				return Batch.LIVE;
			}
			// holds left without a heartbeat, by an instance reclaimed before
			this.jdbc.update(INSERT_MARK, parameters);
		}
		List<LedgerKey> keys = new ArrayList<>(this.jdbc.query(HOLDS, parameters,
				(rs, row) -> new LedgerKey(rs.getString("reference_id"), rs.getString("limit_key"),
						new BillingPeriod(Instant.ofEpochMilli(rs.getLong("period_start")),
								Instant.ofEpochMilli(rs.getLong("period_end"))))));
		keys.sort(LedgerKey.ORDER);
		for (LedgerKey key : keys.subList(0, Math.min(BATCH, keys.size()))) {
			reclaim(holder, key, totals);
		}
		if (keys.size() > BATCH) {
			return Batch.MORE;
		}
		this.jdbc.update(DELETE_HOLDER, parameters);
		return Batch.DONE;
	}

	private void reclaim(String holder, LedgerKey key, Totals totals) {
		MapSqlParameterSource parameters = LedgerTable.parameters(key).addValue("holder", holder);
		boolean hasRow = !this.jdbc.queryForList(LOCK_ROW, parameters, Long.class).isEmpty();
		List<long[]> holds = this.jdbc.query(HOLD, parameters,
				(rs, row) -> new long[] { rs.getLong("held"), rs.getLong("written_at"), rs.getLong("written_tail") });
		if (holds.isEmpty()) {
			return;
		}
		long held = holds.get(0)[0];
		long writtenAt = holds.get(0)[1];
		long recovered = hasRow ? recovered(holder, key, writtenAt, holds.get(0)[2]) : 0;
		parameters.addValue("held", held).addValue("recovered", recovered);
		if (hasRow) {
			this.jdbc.update(GIVE_BACK, parameters);
		}
		this.jdbc.update(MARK_HOLD, parameters);
		totals.holds++;
		totals.held += held;
		totals.recovered += recovered;
	}

	/**
	 * The usage the holder recorded since it last wrote the key back, but the part of it
	 * settled in the millisecond of that write-back, which it included.
	 */
	private long recovered(String holder, LedgerKey key, long writtenAt, long tail) {
		Instant from = Instant.ofEpochMilli(writtenAt);
		if (from.isBefore(key.period().start())) {
			return this.recordedUsage.since(holder, key.referenceId(), key.limitKey(), key.period(),
					key.period().start());
		}
		return Math.max(0,
				this.recordedUsage.since(holder, key.referenceId(), key.limitKey(), key.period(), from) - tail);
	}

	private enum Batch {

		/** The holder renewed its heartbeat: it is alive, and keeps what it holds. */
		LIVE,
		/** More holds are left to reclaim, in another transaction. */
		MORE,
		/** Every hold is reclaimed, and the heartbeat gone. */
		DONE

	}

	/** What a reclaim gave back, for its log line. */
	private static final class Totals {

		private int holds;

		private long held;

		private long recovered;

	}

}
