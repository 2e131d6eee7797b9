package dev.metering.limits;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;

/**
 * The {@code metering_ledger_hold} rows of one instance: what it holds of each key's
 * leased quota, and since when usage it settled may not be written back, written in the
 * transaction of each exchange, after the key's ledger row (so that a reclaim, which
 * takes the same rows in the same order, waits for it or is seen by it).
 * <p>
 * A row another instance reclaimed keeps what that instance recovered from the outbox in
 * {@code recovered}, until this instance has taken it in.
 */
final class HoldTable {

	private static final String UPDATE = """
			UPDATE metering_ledger_hold SET held = :held, written_at = :writtenAt, written_tail = :tail
			WHERE reference_id = :referenceId AND limit_key = :limitKey AND period_start = :periodStart
			AND period_end = :periodEnd AND holder = :holder AND recovered IS NULL
			""";

	private static final String INSERT = """
			INSERT INTO metering_ledger_hold (reference_id, limit_key, period_start, period_end, holder, held,
			written_at, written_tail) VALUES (:referenceId, :limitKey, :periodStart, :periodEnd, :holder,
			:held, :writtenAt, :tail)
			""";

	private static final String SELECT_RECOVERED = """
			SELECT recovered FROM metering_ledger_hold WHERE reference_id = :referenceId
			AND limit_key = :limitKey AND period_start = :periodStart AND period_end = :periodEnd
			AND holder = :holder AND recovered IS NOT NULL FOR UPDATE
			""";

	private static final String DELETE_RECLAIMED = """
			DELETE FROM metering_ledger_hold WHERE reference_id = :referenceId AND limit_key = :limitKey
			AND period_start = :periodStart AND period_end = :periodEnd AND holder = :holder
			AND recovered IS NOT NULL
			""";

	private final NamedParameterJdbcOperations jdbc;

	private final String holder;

	HoldTable(NamedParameterJdbcOperations jdbc, String holder) {
		this.jdbc = jdbc;
		this.holder = holder;
	}

	/**
	 * Writes the holds of exchanges made in the caller's transaction, in one batch.
	 * @param rows the ledger row after each exchange, {@code null} where the key has no
	 * row yet (nothing was exchanged, nothing is written)
	 * @throws HoldReclaimedException when a hold was reclaimed: the caller's transaction
	 * must roll back
	 */
	void writeAll(List<LedgerTable.Request> requests, List<LedgerTable.Exchange> rows) {
		List<LedgerTable.Request> written = new ArrayList<>(requests.size());
		List<MapSqlParameterSource> parameters = new ArrayList<>(requests.size());
		for (int i = 0; i < requests.size(); i++) {
			LedgerTable.Exchange row = rows.get(i);
			if (row != null && requests.get(i).writesHold(row.granted())) {
				written.add(requests.get(i));
				parameters.add(parameters(requests.get(i), row));
			}
		}
		if (written.isEmpty()) {
			return;
		}
		int[] counts = this.jdbc.batchUpdate(UPDATE, parameters.toArray(MapSqlParameterSource[]::new));
		for (int i = 0; i < counts.length; i++) {
			if (counts[i] == 0) {
				insert(written.get(i), parameters.get(i));
			}
		}
	}

	/**
	 * Takes back a reclaimed hold, in the caller's transaction.
	 * @return what the reclaim recovered from the outbox, or {@code null} when the hold
	 * is not a reclaimed one (another thread took it in, or none was ever written)
	 */
	@Nullable Long takeReclaimed(LedgerKey key) {
		MapSqlParameterSource parameters = key(key);
		List<Long> recovered = this.jdbc.queryForList(SELECT_RECOVERED, parameters, Long.class);
		if (recovered.isEmpty()) {
			return null;
		}
		this.jdbc.update(DELETE_RECLAIMED, parameters);
		return recovered.get(0);
	}

	/**
	 * A hold the update did not find: a first one, or one reclaimed. A slice that wrote
	 * its hold before and finds none has lost it; a slice that never wrote one makes it,
	 * unless a reclaimed one of an earlier slice is in the way.
	 */
	private void insert(LedgerTable.Request request, MapSqlParameterSource parameters) {
		if (request.holdWritten()) {
			throw new HoldReclaimedException(request.key());
		}
		try {
			this.jdbc.update(INSERT, parameters);
		}
		catch (DuplicateKeyException ex) {
			throw new HoldReclaimedException(request.key());
		}
	}

	private MapSqlParameterSource parameters(LedgerTable.Request request, LedgerTable.Exchange row) {
		return key(request.key()).addValue("held", request.heldAfter(row.granted()))
			.addValue("writtenAt", request.writtenAt())
			.addValue("tail", request.tail());
	}

	private MapSqlParameterSource key(LedgerKey key) {
		return LedgerTable.parameters(key).addValue("holder", this.holder);
	}

}
