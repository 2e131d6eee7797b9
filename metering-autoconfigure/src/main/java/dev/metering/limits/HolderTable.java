package dev.metering.limits;

import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.transaction.support.TransactionOperations;

/**
 * This instance's row in {@code metering_ledger_holder}, the heartbeat that keeps what it
 * holds its own: renewed at every flush, one statement for all its keys. A reclaim marks
 * the row (its expiry 0) while it takes the instance's holds, so that a renewal which
 * finds the row gone or marked knows that some of its holds may have been reclaimed.
 */
final class HolderTable {

	private static final String EXTEND = """
			UPDATE metering_ledger_holder SET expires_at = :expiresAt WHERE holder = :holder AND expires_at > 0
			""";

	private static final String UNMARK = """
			UPDATE metering_ledger_holder SET expires_at = :expiresAt WHERE holder = :holder
			""";

	private static final String INSERT = """
			INSERT INTO metering_ledger_holder (holder, expires_at) VALUES (:holder, :expiresAt)
			""";

	private static final String RECLAIMED = """
			SELECT reference_id, limit_key, period_start, period_end FROM metering_ledger_hold
			WHERE holder = :holder AND recovered IS NOT NULL
			""";

	// a hold of nothing that no exchange has written for a lease belongs to a slice
	// retired
	private static final String DELETE_IDLE = """
			DELETE FROM metering_ledger_hold WHERE holder = :holder AND held = 0 AND recovered IS NULL
			AND written_at < :before
			""";

	private static final String DELETE_GIVEN_BACK = """
			DELETE FROM metering_ledger_hold WHERE holder = :holder AND (held = 0 OR recovered IS NOT NULL)
			""";

	// calls still in flight keep their holds, and the row till they are reclaimed
	private static final String DELETE_HOLDER = """
			DELETE FROM metering_ledger_holder WHERE holder = :holder AND NOT EXISTS (SELECT 1
			FROM metering_ledger_hold WHERE holder = :holder)
			""";

	private final NamedParameterJdbcOperations jdbc;

	private final TransactionOperations transactions;

	private final String holder;

	HolderTable(NamedParameterJdbcOperations jdbc, TransactionOperations transactions, String holder) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.holder = holder;
	}

	/**
	 * Renews the heartbeat, if it is still there and not marked by a reclaim.
	 * @return {@code false} when it is not: {@link #register} it again
	 */
	boolean extend(Instant expiresAt) {
		return update(EXTEND, expiresAt) == 1;
	}

	/**
	 * Makes the heartbeat again, or clears the mark a reclaim left on it, once that
	 * reclaim has committed: every hold it reclaimed is marked reclaimed by then.
	 */
	void register(Instant expiresAt) {
		this.transactions.executeWithoutResult((status) -> {
			if (this.jdbc.update(UNMARK, parameters().addValue("expiresAt", expiresAt.toEpochMilli())) == 0) {
				this.jdbc.update(INSERT, parameters().addValue("expiresAt", expiresAt.toEpochMilli()));
			}
		});
	}

	/** The keys of this instance's holds that another instance reclaimed. */
	List<LedgerKey> reclaimed() {
		return this.jdbc.query(RECLAIMED, parameters(),
				(rs, row) -> new LedgerKey(rs.getString("reference_id"), rs.getString("limit_key"),
						new BillingPeriod(Instant.ofEpochMilli(rs.getLong("period_start")),
								Instant.ofEpochMilli(rs.getLong("period_end")))));
	}

	/**
	 * Deletes holds of nothing left by slices retired, not written since {@code before}.
	 */
	void deleteIdle(Instant before) {
		this.transactions.executeWithoutResult(
				(status) -> this.jdbc.update(DELETE_IDLE, parameters().addValue("before", before.toEpochMilli())));
	}

	/**
	 * Deletes the holds of nothing that the last flush left, at close, and the heartbeat
	 * when no hold is left.
	 */
	void leave() {
		this.transactions.executeWithoutResult((status) -> {
			this.jdbc.update(DELETE_GIVEN_BACK, parameters());
			this.jdbc.update(DELETE_HOLDER, parameters());
		});
	}

	private int update(String statement, Instant expiresAt) {
		Integer rows = this.transactions.execute(
				(status) -> this.jdbc.update(statement, parameters().addValue("expiresAt", expiresAt.toEpochMilli())));
		return (rows != null) ? rows : 0;
	}

	private MapSqlParameterSource parameters() {
		return new MapSqlParameterSource("holder", this.holder);
	}

}
