package dev.metering.limits;

import java.time.Clock;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Threshold claims in the {@code metering_usage_threshold} table, shared by every
 * instance and kept across restarts: a claim is a row, and only the first insert of it
 * succeeds. What this instance has claimed or seen claimed is remembered, so that it asks
 * the database about each threshold once.
 */
public final class JdbcThresholdClaims implements ThresholdClaims {

	private static final String INSERT = "INSERT INTO metering_usage_threshold (reference_id, limit_key, "
			+ "period_start, period_end, threshold_percent, reached_at) VALUES (?, ?, ?, ?, ?, ?)";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Clock clock;

	private final InMemoryThresholdClaims seen = new InMemoryThresholdClaims();

	public JdbcThresholdClaims(DataSource dataSource, Clock clock) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
	}

	@Override
	public boolean claim(String referenceId, String limitKey, BillingPeriod period, int percent) {
		if (!this.seen.claim(referenceId, limitKey, period, percent)) {
			return false;
		}
		try {
			this.transactions.executeWithoutResult((status) -> this.jdbc.update(INSERT, referenceId, limitKey,
					period.start().toEpochMilli(), period.end().toEpochMilli(), percent, this.clock.millis()));
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
