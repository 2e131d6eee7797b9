package dev.metering.limits;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The {@code metering_usage_ledger} table: one row per organization, limit key and
 * period, with the usage settled and the quota that instances hold in slices
 * ({@code leased}). Every exchange is one atomic statement on the row, followed in its
 * transaction by this instance's {@linkplain HoldTable hold} on the key; each exchange
 * has a transaction of its own, but for the periodic flush, which writes back every key
 * an instance holds in one.
 */
final class LedgerTable {

	/**
	 * A grant is this part of what is left under the limit, or one call when that is
	 * more.
	 */
	static final int SLICE_DIVISOR = 16;

	// Admits iff used + leased (this instance's free part given back) < limit, the
	// contract's test, and then grants a sixteenth (SLICE_DIVISOR) of what is left,
	// (:limit - (used + leased - :returned)), or the call's reservation when that is
	// more: near the limit a slice is one call. A grant within the limit (:overshoot 0)
	// is at most what is left; otherwise the call's reservation may cross it (:overshoot
	// is the need). SET expressions all see the row as it was. The exchange returns the
	// row as it is after, in each database's own syntax.
	private static final String EXCHANGE_UPDATE = """
			UPDATE metering_usage_ledger SET used = used + :settled,
			leased = leased - :settled - :returned + CASE WHEN :need > 0 AND used + leased - :returned < :limit
			THEN LEAST(GREATEST(:need, (:limit - (used + leased - :returned)) / %1$d),
			(:limit - (used + leased - :returned)) + :overshoot)
			ELSE 0 END,
			granted = CASE WHEN :need > 0 AND used + leased - :returned < :limit
			THEN LEAST(GREATEST(:need, (:limit - (used + leased - :returned)) / %1$d),
			(:limit - (used + leased - :returned)) + :overshoot)
			ELSE 0 END
			WHERE reference_id = :referenceId AND limit_key = :limitKey AND period_start = :periodStart
			AND period_end = :periodEnd
			""".formatted(SLICE_DIVISOR);

	private static final String EXCHANGE_POSTGRESQL = EXCHANGE_UPDATE + "RETURNING used, leased, granted";

	private static final String EXCHANGE_H2 = "SELECT used, leased, granted FROM FINAL TABLE (" + EXCHANGE_UPDATE + ")";

	private static final String INSERT = """
			INSERT INTO metering_usage_ledger (reference_id, limit_key, period_start, period_end, used, leased,
			granted) VALUES (:referenceId, :limitKey, :periodStart, :periodEnd, 0, 0, 0)
			""";

	private static final String SET_USED = """
			UPDATE metering_usage_ledger SET used = :used WHERE reference_id = :referenceId
			AND limit_key = :limitKey AND period_start = :periodStart AND period_end = :periodEnd
			""";

	private static final String GIVE_BACK = """
			UPDATE metering_usage_ledger SET used = CASE WHEN used > :amount THEN used - :amount ELSE 0 END
			WHERE reference_id = :referenceId AND limit_key = :limitKey AND period_start = :periodStart
			AND period_end = :periodEnd
			""";

	private static final String SELECT_USED = """
			SELECT used FROM metering_usage_ledger WHERE reference_id = :referenceId AND limit_key = :limitKey
			AND period_start = :periodStart AND period_end = :periodEnd
			""";

	private final NamedParameterJdbcOperations jdbc;

	private final TransactionOperations transactions;

	private final String exchange;

	private final HoldTable holds;

	/**
	 * @param holder the instance whose holds the exchanges write
	 * @param transactions transactions of their own, apart from any of the caller's: a
	 * lease must not wait for it to commit
	 */
	LedgerTable(NamedParameterJdbcOperations jdbc, TransactionOperations transactions, String holder) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.exchange = exchangeStatement(jdbc);
		this.holds = new HoldTable(this.jdbc, holder);
	}

	/**
	 * Writes settled usage back, gives free quota back and asks for a new slice, in one
	 * statement, and this instance's hold on the key with it.
	 * @throws HoldReclaimedException when the hold was reclaimed (nothing was written)
	 */
	@Nullable Exchange exchange(Request request) {
		Exchange row = exchangeAndHold(request);
		if (row == null) {
			insertIfAbsent(parameters(request.key()));
			row = exchangeAndHold(request);
		}
		return row;
	}

	/**
	 * The exchanges of a flush, in one transaction: a commit for every organization would
	 * be a write to the database's log for each, five times a second. In the order given,
	 * which every instance must keep the same (by key), so that two flushes never wait
	 * for each other's rows. The holds follow in one batch, after every row: a reclaim
	 * takes a row before the hold of another instance on it, so it never holds a hold
	 * that this flush waits for.
	 * @return the row after each exchange, in the order of the requests; {@code null} for
	 * a key that has no row yet (it is left as it was: {@link #exchange(Request)} makes
	 * it)
	 * @throws HoldReclaimedException when a hold was reclaimed (nothing was written)
	 */
	List<Exchange> exchangeAll(List<Request> requests) {
		if (requests.isEmpty()) {
			return List.of();
		}
		return this.transactions.execute((status) -> {
			List<Exchange> rows = new ArrayList<>(requests.size());
			for (Request request : requests) {
				List<Exchange> row = this.jdbc.query(this.exchange, parameters(request), LedgerTable::exchangeRow);
				rows.add(row.isEmpty() ? null : row.get(0));
			}
			this.holds.writeAll(requests, rows);
			return rows;
		});
	}

	/**
	 * Takes back a hold of this instance that another instance reclaimed.
	 * @return what the reclaim recovered of the usage settled on the key, or {@code null}
	 * when there is no reclaimed hold (any more) to take back
	 */
	@SuppressWarnings("NullAway") // the callback's T may be null, which only JSpecify
									// mode (JDK 22+) reads
	@Nullable Long takeReclaimed(LedgerKey key) {
		return this.transactions.execute((status) -> this.holds.takeReclaimed(key));
	}

	/**
	 * The usage settled in the table, without what instances have not written back yet.
	 */
	long used(LedgerKey key) {
		List<Long> used = this.jdbc.queryForList(SELECT_USED, parameters(key), Long.class);
		return used.isEmpty() ? 0 : used.get(0);
	}

	/**
	 * Replaces the usage settled by every instance; what instances hold leased stays
	 * leased.
	 */
	void setUsed(LedgerKey key, long used) {
		MapSqlParameterSource parameters = parameters(key).addValue("used", used);
		if (update(SET_USED, parameters) == 0) {
			insertIfAbsent(parameters);
			update(SET_USED, parameters);
		}
	}

	/**
	 * Takes usage off a key's row, never below zero, in one transaction.
	 * @return the usage left, 0 when the key has no row
	 */
	long giveBack(LedgerKey key, long amount) {
		MapSqlParameterSource parameters = parameters(key).addValue("amount", amount);
		Long left = this.transactions.execute((status) -> {
			this.jdbc.update(GIVE_BACK, parameters);
			List<Long> used = this.jdbc.queryForList(SELECT_USED, parameters, Long.class);
			return used.isEmpty() ? 0L : used.get(0);
		});
		return (left != null) ? left : 0;
	}

	private int update(String statement, MapSqlParameterSource parameters) {
		Integer rows = this.transactions.execute((status) -> this.jdbc.update(statement, parameters));
		return (rows != null) ? rows : 0;
	}

	/**
	 * The exchange and its hold, in a transaction: a thread never holds two connections,
	 * so a pool cannot run dry.
	 * @return the row after, or {@code null} when the key has no row yet
	 */
	@SuppressWarnings("NullAway") // the callback's T may be null, which only JSpecify
									// mode (JDK 22+) reads
	private @Nullable Exchange exchangeAndHold(Request request) {
		return this.transactions.execute((status) -> {
			List<Exchange> rows = this.jdbc.query(this.exchange, parameters(request), LedgerTable::exchangeRow);
			if (rows.isEmpty()) {
				return null;
			}
			this.holds.writeAll(List.of(request), rows);
			return rows.get(0);
		});
	}

	private static Exchange exchangeRow(ResultSet rs, int row) throws SQLException {
		return new Exchange(rs.getLong("used"), rs.getLong("leased"), rs.getLong("granted"));
	}

	private void insertIfAbsent(MapSqlParameterSource parameters) {
		try {
			this.transactions.executeWithoutResult((status) -> this.jdbc.update(INSERT, parameters));
		}
		catch (DuplicateKeyException ex) {
			// another instance made the row first
		}
	}

	private static MapSqlParameterSource parameters(Request request) {
		return parameters(request.key()).addValue("settled", request.settled())
			.addValue("returned", request.returned())
			.addValue("need", request.need())
			.addValue("limit", request.limit())
			.addValue("overshoot", request.withinLimit() ? 0 : request.need());
	}

	static MapSqlParameterSource parameters(LedgerKey key) {
		return new MapSqlParameterSource().addValue("referenceId", key.referenceId())
			.addValue("limitKey", key.limitKey())
			.addValue("periodStart", key.period().start().toEpochMilli())
			.addValue("periodEnd", key.period().end().toEpochMilli());
	}

	/** The exchange with the row as it is after, in the database's own syntax. */
	private static String exchangeStatement(NamedParameterJdbcOperations jdbc) {
		String product = jdbc.getJdbcOperations()
			.execute((ConnectionCallback<String>) (Connection connection) -> connection.getMetaData()
				.getDatabaseProductName());
		if ("PostgreSQL".equals(product)) {
			return EXCHANGE_POSTGRESQL;
		}
		if ("H2".equals(product)) {
			return EXCHANGE_H2;
		}
		throw new IllegalStateException("The usage ledger supports H2 and PostgreSQL, not " + product
				+ "; set metering.limits.store=memory or define a UsageLedger bean");
	}

	/**
	 * What an instance writes back to a key's row and asks of it, and what it tells of
	 * its hold on the key.
	 *
	 * @param settled usage settled since the last exchange, moved from leased to used
	 * @param returned the free part of the slice given back (negative: calls used more
	 * than they reserved)
	 * @param need the reservation of the call that asks for a slice, 0 to ask for none
	 * @param withinLimit whether the slice may hold no more than what is left under the
	 * limit, rather than the call's whole reservation
	 * @param held what the slice holds of the row's leased quota before the exchange
	 * @param holdWritten whether the slice wrote its hold before (and so must find it)
	 * @param writtenAt when the usage written back was taken out of the slice, in
	 * milliseconds since the epoch: usage stamped from then on may not be written back
	 * yet
	 * @param tail the usage settled within that millisecond and written back, by this
	 * exchange or an earlier one
	 */
	record Request(LedgerKey key, long settled, long returned, long need, long limit, boolean withinLimit, long held,
			boolean holdWritten, long writtenAt, long tail) {

		/** What the slice holds after an exchange that granted {@code granted}. */
		long heldAfter(long granted) {
			return this.held - this.settled - this.returned + granted;
		}

		/**
		 * Whether the exchange writes the hold: when the slice has one, or holds quota or
		 * has usage in flight to the table now; a slice that only reads the row has none
		 * to write.
		 */
		boolean writesHold(long granted) {
			return this.holdWritten || heldAfter(granted) != 0 || this.settled != 0;
		}

	}

	/**
	 * The row after an exchange.
	 *
	 * @param used the usage settled by every instance
	 * @param leased the quota held in slices by every instance
	 * @param granted the new slice of the instance that asked, 0 when refused
	 */
	record Exchange(long used, long leased, long granted) {
	}

}
