package dev.metering.provider.local;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.metering.UsageDimensions;
import dev.metering.lock.InstanceLock;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * The local meter's sums in the application's database (H2 or PostgreSQL), so that they
 * survive a restart and every instance sees the same: per-minute sums in
 * {@code metering_local_usage}, and the identifiers counted, for as long as the outbox
 * keeps delivered events, in {@code metering_local_identifier}. An event's identifier and
 * its sum are written in one transaction, so an event is counted once or not at all.
 */
public final class JdbcLocalMeterStore implements LocalMeterStore {

	/**
	 * How often identifiers older than the retention are deleted, as the outbox does, by
	 * one instance of those sharing the table: the one holding the purge's lock.
	 */
	private static final Duration PURGE_INTERVAL = Duration.ofHours(1);

	private static final String PURGE_LOCK = "purge metering_local_identifier";

	/**
	 * Two instances may create one minute's row at once: the loser adds to the winner's.
	 */
	private static final int ATTEMPTS = 3;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Clock clock;

	private final Duration retention;

	private final InstanceLock lock;

	private final AtomicLong nextPurge = new AtomicLong(Long.MIN_VALUE);

	/**
	 * @param clock tells when an identifier was counted
	 * @param retention how long counted identifiers are remembered
	 * ({@code metering.outbox.retention}): a redelivery within it is not counted again
	 * @param lock lets one instance of those sharing the tables purge them
	 */
	public JdbcLocalMeterStore(DataSource dataSource, Clock clock, Duration retention, InstanceLock lock) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
		this.retention = retention;
		this.lock = lock;
	}

	/**
	 * A database that refuses the event is a rejection; one that fails otherwise, a
	 * retry.
	 */
	@Override
	public DeliveryOutcome add(UsageEvent event) {
		try {
			count(event);
			return DeliveryOutcome.delivered();
		}
		catch (DuplicateKeyException ex) {
			return DeliveryOutcome.retry(ex.getMostSpecificCause().getMessage());
		}
		catch (DataIntegrityViolationException ex) {
			return DeliveryOutcome.rejected("local_meter_refused", ex.getMostSpecificCause().getMessage());
		}
		catch (DataAccessException ex) {
			return DeliveryOutcome.retry(ex.getMostSpecificCause().getMessage());
		}
	}

	private void count(UsageEvent event) {
		Instant now = this.clock.instant();
		purgeIfDue(now);
		for (int attempt = 1;; attempt++) {
			try {
				this.transactions.executeWithoutResult((status) -> {
					try {
						this.jdbc.update("INSERT INTO metering_local_identifier (identifier, counted_at) VALUES (?, ?)",
								event.identifier(), now.toEpochMilli());
					}
					catch (DuplicateKeyException ex) {
						// counted before; PostgreSQL has aborted the transaction: end it
						// without a commit
						status.setRollbackOnly();
						return;
					}
					addToMinute(event);
					if (!event.dimensions().isEmpty()) {
						addToDimensionMinute(event);
					}
				});
				return;
			}
			catch (DuplicateKeyException ex) {
				if (attempt == ATTEMPTS) {
					throw ex;
				}
			}
		}
	}

	private void addToMinute(UsageEvent event) {
		long minute = event.timestamp().truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
		int updated = this.jdbc.update(
				"UPDATE metering_local_usage SET usage_sum = CASE WHEN usage_sum > ? THEN ? "
						+ "ELSE usage_sum + ? END, event_count = event_count + 1 "
						+ "WHERE event_name = ? AND customer_id = ? AND minute_start = ?",
				Long.MAX_VALUE - event.value(), Long.MAX_VALUE, event.value(), event.eventName(), event.customerId(),
				minute);
		if (updated == 0) {
			this.jdbc.update(
					"INSERT INTO metering_local_usage (event_name, customer_id, minute_start, usage_sum, "
							+ "event_count) VALUES (?, ?, ?, ?, 1)",
					event.eventName(), event.customerId(), minute, event.value());
		}
	}

	private void addToDimensionMinute(UsageEvent event) {
		long minute = event.timestamp().truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
		String model = orEmpty(event.dimensions().model());
		String tokenType = orEmpty(event.dimensions().tokenType());
		int updated = this.jdbc.update(
				"UPDATE metering_local_dimension_usage SET usage_sum = CASE WHEN usage_sum > ? "
						+ "THEN ? ELSE usage_sum + ? END WHERE event_name = ? AND customer_id = ? AND model = ? "
						+ "AND token_type = ? AND minute_start = ?",
				Long.MAX_VALUE - event.value(), Long.MAX_VALUE, event.value(), event.eventName(), event.customerId(),
				model, tokenType, minute);
		if (updated == 0) {
			this.jdbc.update(
					"INSERT INTO metering_local_dimension_usage (event_name, customer_id, model, token_type, "
							+ "minute_start, usage_sum) VALUES (?, ?, ?, ?, ?, ?)",
					event.eventName(), event.customerId(), model, tokenType, minute, event.value());
		}
	}

	private static String orEmpty(String dimension) {
		return (dimension != null) ? dimension : "";
	}

	@Override
	public long sum(String eventName, String customerId, UsageDimensions filter, Instant start, Instant end) {
		long from = (start != null) ? start.truncatedTo(ChronoUnit.MINUTES).toEpochMilli() : Long.MIN_VALUE;
		long to = (end != null) ? end.toEpochMilli() : Long.MAX_VALUE;
		StringBuilder sql = new StringBuilder("SELECT SUM(usage_sum) FROM metering_local_dimension_usage "
				+ "WHERE event_name = ? AND customer_id = ? AND minute_start >= ? AND minute_start < ?");
		List<Object> arguments = new ArrayList<>(List.of(eventName, customerId, from, to));
		if (filter.model() != null) {
			sql.append(" AND model = ?");
			arguments.add(filter.model());
		}
		if (filter.tokenType() != null) {
			sql.append(" AND token_type = ?");
			arguments.add(filter.tokenType());
		}
		return saturated(this.jdbc.queryForObject(sql.toString(), BigDecimal.class, arguments.toArray()));
	}

	@Override
	public long sum(String eventName, String customerId, Instant start, Instant end) {
		long from = (start != null) ? start.truncatedTo(ChronoUnit.MINUTES).toEpochMilli() : Long.MIN_VALUE;
		long to = (end != null) ? end.toEpochMilli() : Long.MAX_VALUE;
		return saturated(this.jdbc.queryForObject(
				"SELECT SUM(usage_sum) FROM metering_local_usage "
						+ "WHERE event_name = ? AND customer_id = ? AND minute_start >= ? AND minute_start < ?",
				BigDecimal.class, eventName, customerId, from, to));
	}

	@Override
	public long eventCount(String eventName, String customerId) {
		return saturated(this.jdbc.queryForObject(
				"SELECT SUM(event_count) FROM metering_local_usage WHERE event_name = ? AND customer_id = ?",
				BigDecimal.class, eventName, customerId));
	}

	/**
	 * A SQL sum, exact whatever its size, as a {@code long} that stops at the maximum.
	 */
	private static long saturated(BigDecimal sum) {
		if (sum == null) {
			return 0;
		}
		return (sum.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) ? Long.MAX_VALUE : sum.longValueExact();
	}

	private void purgeIfDue(Instant now) {
		long due = this.nextPurge.get();
		if (now.toEpochMilli() >= due && this.nextPurge.compareAndSet(due, now.plus(PURGE_INTERVAL).toEpochMilli())) {
			this.lock.runAlone(PURGE_LOCK, PURGE_INTERVAL,
					() -> this.jdbc.update("DELETE FROM metering_local_identifier WHERE counted_at < ?",
							now.minus(this.retention).toEpochMilli()));
		}
	}

}
