package dev.metering.balance;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

import dev.metering.CreditGrant;

/**
 * Grants kept in {@code metering_grant}, shared by every instance on the database and
 * kept across restarts. Times are milliseconds since the epoch; a revoked grant keeps its
 * row, ended at its revocation.
 */
final class JdbcGrantSource implements GrantSource {

	private static final String SELECT = """
			SELECT id, reference_id, meter_key, amount, effective_at, expires_at, priority, source
			FROM metering_grant WHERE reference_id = :referenceId AND meter_key = :meterKey
			""";

	private static final String INSERT = """
			INSERT INTO metering_grant
			(id, reference_id, meter_key, amount, effective_at, expires_at, priority, source)
			VALUES (:id, :referenceId, :meterKey, :amount, :effectiveAt, :expiresAt, :priority, :source)
			""";

	private static final String END = """
			UPDATE metering_grant SET expires_at = :now
			WHERE id = :id AND (expires_at IS NULL OR expires_at > :now)
			""";

	private static final String CONSUMED = """
			SELECT id, consumed_at_end FROM metering_grant
			WHERE reference_id = :referenceId AND meter_key = :meterKey AND consumed_at_end IS NOT NULL
			""";

	private static final String KEEP_CONSUMED = """
			UPDATE metering_grant SET consumed_at_end = :consumed WHERE id = :id AND consumed_at_end IS NULL
			""";

	private final JdbcClient jdbc;

	private final TransactionOperations transactions;

	private final Clock clock;

	/**
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	JdbcGrantSource(JdbcClient jdbc, TransactionOperations transactions, Clock clock) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.clock = clock;
	}

	@Override
	public List<CreditGrant> grants(String referenceId, String meterKey) {
		return this.jdbc.sql(SELECT)
			.param("referenceId", referenceId)
			.param("meterKey", meterKey)
			.query(JdbcGrantSource::grant)
			.list()
			.stream()
			.sorted(new BurnOrder())
			.toList();
	}

	@Override
	public CreditGrant grant(String referenceId, String meterKey, long amount, Instant effectiveAt,
			@Nullable Instant expiresAt, int priority) {
		CreditGrant grant = LocalGrants.make(referenceId, meterKey, amount, effectiveAt, expiresAt, priority);
		this.transactions.executeWithoutResult((status) -> insert(grant));
		return grant;
	}

	@Override
	public boolean grantOnce(CreditGrant grant) {
		CreditGrant checked = LocalGrants.of(grant);
		try {
			return Boolean.TRUE.equals(this.transactions.execute((status) -> insert(checked) == 1));
		}
		catch (DuplicateKeyException ex) {
			// another instance kept it first
			return false;
		}
	}

	private int insert(CreditGrant grant) {
		Instant expires = grant.expiresAt();
		return this.jdbc.sql(INSERT)
			.param("id", grant.id())
			.param("referenceId", grant.referenceId())
			.param("meterKey", grant.meterKey())
			.param("amount", grant.amount())
			.param("effectiveAt", grant.effectiveAt().toEpochMilli())
			.param("expiresAt", (expires != null) ? expires.toEpochMilli() : null, Types.BIGINT)
			.param("priority", grant.priority())
			.param("source", grant.source())
			.update();
	}

	@Override
	public void revoke(String grantId) {
		long now = this.clock.millis();
		this.transactions
			.executeWithoutResult((status) -> this.jdbc.sql(END).param("id", grantId).param("now", now).update());
	}

	@Override
	public Map<String, Long> consumedAtEnd(String referenceId, String meterKey) {
		Map<String, Long> consumed = new HashMap<>();
		RowCallbackHandler keep = (row) -> consumed.put(row.getString("id"), row.getLong("consumed_at_end"));
		this.jdbc.sql(CONSUMED).param("referenceId", referenceId).param("meterKey", meterKey).query(keep);
		return consumed;
	}

	@Override
	public void keepConsumedAtEnd(String grantId, long consumed) {
		this.transactions.executeWithoutResult(
				(status) -> this.jdbc.sql(KEEP_CONSUMED).param("id", grantId).param("consumed", consumed).update());
	}

	private static CreditGrant grant(ResultSet row, int rowNumber) throws SQLException {
		long expiresAt = row.getLong("expires_at");
		Instant expires = row.wasNull() ? null : Instant.ofEpochMilli(expiresAt);
		return new CreditGrant(row.getString("id"), row.getString("reference_id"), row.getString("meter_key"),
				row.getLong("amount"), Instant.ofEpochMilli(row.getLong("effective_at")), expires,
				row.getInt("priority"), row.getString("source"));
	}

}
