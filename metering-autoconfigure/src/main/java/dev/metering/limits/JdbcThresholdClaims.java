package dev.metering.limits;

import java.time.Clock;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Threshold claims in the {@code metering_usage_threshold} table, shared by every
 * instance and kept across restarts: a claim is a row, and only the first insert of it
 * succeeds. What this instance has claimed or seen claimed is remembered, so that it asks
 * the database about each threshold once.
 */
final class JdbcThresholdClaims implements ThresholdClaims {

	private static final String INSERT = """
			INSERT INTO metering_usage_threshold (reference_id, limit_key, period_start, period_end,
			threshold_percent, reached_at) VALUES (:referenceId, :limitKey, :periodStart, :periodEnd, :percent,
			:reachedAt)
			""";

	private final JdbcClient jdbc;

	private final TransactionOperations transactions;

	private final Clock clock;

	private final InMemoryThresholdClaims seen = new InMemoryThresholdClaims();

	/**
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	JdbcThresholdClaims(JdbcClient jdbc, TransactionOperations transactions, Clock clock) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.clock = clock;
	}

	@Override
	public boolean claim(String referenceId, String limitKey, BillingPeriod period, int percent) {
		if (!this.seen.claim(referenceId, limitKey, period, percent)) {
			return false;
		}
		try {
			this.transactions.executeWithoutResult((status) -> this.jdbc.sql(INSERT)
				.param("referenceId", referenceId)
				.param("limitKey", limitKey)
				.param("periodStart", period.start().toEpochMilli())
				.param("periodEnd", period.end().toEpochMilli())
				.param("percent", percent)
				.param("reachedAt", this.clock.millis())
				.update());
			return true;
		}
		catch (DuplicateKeyException ex) {
			return false;
		}
		catch (RuntimeException ex) {
			this.seen.forget(referenceId, limitKey, period, percent);
			throw ex;
		}
	}

}
