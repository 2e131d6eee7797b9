package dev.metering.provider.local;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

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
final class JdbcLocalMeterStore implements LocalMeterStore {

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

	private static final String COUNT_IDENTIFIER = """
			INSERT INTO metering_local_identifier (identifier, counted_at) VALUES (:identifier, :now)
			""";

	private static final String ADD_TO_MINUTE = """
			UPDATE metering_local_usage SET usage_sum = CASE WHEN usage_sum > :headroom THEN :max
			ELSE usage_sum + :value END, event_count = event_count + 1
			WHERE event_name = :eventName AND customer_id = :customerId AND minute_start = :minute
			""";

	private static final String INSERT_MINUTE = """
			INSERT INTO metering_local_usage (event_name, customer_id, minute_start, usage_sum, event_count)
			VALUES (:eventName, :customerId, :minute, :value, 1)
			""";

	private static final String ADD_TO_DIMENSION_MINUTE = """
			UPDATE metering_local_dimension_usage SET usage_sum = CASE WHEN usage_sum > :headroom THEN :max
			ELSE usage_sum + :value END WHERE event_name = :eventName AND customer_id = :customerId
			AND model = :model AND token_type = :tokenType AND minute_start = :minute
			""";

	private static final String REMOVE_FROM_MINUTE = """
			UPDATE metering_local_usage SET usage_sum = CASE WHEN usage_sum > :value THEN usage_sum - :value
			ELSE 0 END, event_count = CASE WHEN event_count > 0 THEN event_count - 1 ELSE 0 END
			WHERE event_name = :eventName AND customer_id = :customerId AND minute_start = :minute
			""";

	private static final String REMOVE_FROM_DIMENSION_MINUTE = """
			UPDATE metering_local_dimension_usage SET usage_sum = CASE WHEN usage_sum > :value
			THEN usage_sum - :value ELSE 0 END WHERE event_name = :eventName AND customer_id = :customerId
			AND model = :model AND token_type = :tokenType AND minute_start = :minute
			""";

	private static final String INSERT_DIMENSION_MINUTE = """
			INSERT INTO metering_local_dimension_usage (event_name, customer_id, model, token_type, minute_start,
			usage_sum) VALUES (:eventName, :customerId, :model, :tokenType, :minute, :value)
			""";

	/** A dimension the filter leaves open matches every row. */
	private static final String DIMENSION_SUM = """
			SELECT SUM(usage_sum) FROM metering_local_dimension_usage
			WHERE event_name = :eventName AND customer_id = :customerId AND minute_start >= :from
			AND minute_start < :to AND (:anyModel OR model = :model) AND (:anyTokenType OR token_type = :tokenType)
			""";

	private static final String SUM = """
			SELECT SUM(usage_sum) FROM metering_local_usage
			WHERE event_name = :eventName AND customer_id = :customerId AND minute_start >= :from
			AND minute_start < :to
			""";

	private static final String EVENT_COUNT = """
			SELECT SUM(event_count) FROM metering_local_usage WHERE event_name = :eventName
			AND customer_id = :customerId
			""";

	private static final String PURGE = """
			DELETE FROM metering_local_identifier WHERE counted_at < :before
			""";

	private final JdbcClient jdbc;

	private final TransactionOperations transactions;

	private final Clock clock;

	private final Duration retention;

	private final InstanceLock lock;

	private final AtomicLong nextPurge = new AtomicLong(Long.MIN_VALUE);

	/**
	 * @param clock tells when an identifier was counted
	 * @param retention how long counted identifiers are remembered
	 * ({@code metering.outbox.retention}): a redelivery within it is not counted again
	 * @param lock lets one instance of those sharing the tables purge them
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	JdbcLocalMeterStore(JdbcClient jdbc, TransactionOperations transactions, Clock clock, Duration retention,
			InstanceLock lock) {
		this.jdbc = jdbc;
		this.transactions = transactions;
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

	/**
	 * Takes the event off its minute's sums in one transaction; its identifier stays
	 * counted for the retention.
	 */
	@Override
	public void remove(UsageEvent event) {
		long minute = event.timestamp().truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
		this.transactions.executeWithoutResult((status) -> {
			removeStatement(REMOVE_FROM_MINUTE, event, minute).update();
			if (!event.dimensions().isEmpty()) {
				removeStatement(REMOVE_FROM_DIMENSION_MINUTE, event, minute)
					.param("model", orEmpty(event.dimensions().model()))
					.param("tokenType", orEmpty(event.dimensions().tokenType()))
					.update();
			}
		});
	}

	private JdbcClient.StatementSpec removeStatement(String sql, UsageEvent event, long minute) {
		return this.jdbc.sql(sql)
			.param("eventName", event.eventName())
			.param("customerId", event.customerId())
			.param("minute", minute)
			.param("value", event.value());
	}

	private void count(UsageEvent event) {
		Instant now = this.clock.instant();
		purgeIfDue(now);
		for (int attempt = 1;; attempt++) {
			try {
				this.transactions.executeWithoutResult((status) -> {
					try {
						this.jdbc.sql(COUNT_IDENTIFIER)
							.param("identifier", event.identifier())
							.param("now", now.toEpochMilli())
							.update();
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
		if (minuteStatement(ADD_TO_MINUTE, event, minute).update() == 0) {
			minuteStatement(INSERT_MINUTE, event, minute).update();
		}
	}

	private void addToDimensionMinute(UsageEvent event) {
		long minute = event.timestamp().truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
		String model = orEmpty(event.dimensions().model());
		String tokenType = orEmpty(event.dimensions().tokenType());
		if (minuteStatement(ADD_TO_DIMENSION_MINUTE, event, minute).param("model", model)
			.param("tokenType", tokenType)
			.update() == 0) {
			minuteStatement(INSERT_DIMENSION_MINUTE, event, minute).param("model", model)
				.param("tokenType", tokenType)
				.update();
		}
	}

	/**
	 * A statement on an event's minute; an update adds to the sum up to the largest
	 * {@code long}.
	 */
	private JdbcClient.StatementSpec minuteStatement(String sql, UsageEvent event, long minute) {
		return this.jdbc.sql(sql)
			.param("headroom", Long.MAX_VALUE - event.value())
			.param("max", Long.MAX_VALUE)
			.param("value", event.value())
			.param("eventName", event.eventName())
			.param("customerId", event.customerId())
			.param("minute", minute);
	}

	private static String orEmpty(@Nullable String dimension) {
		return (dimension != null) ? dimension : "";
	}

	@Override
	public long sum(String eventName, String customerId, UsageDimensions filter, @Nullable Instant start,
			@Nullable Instant end) {
		long from = (start != null) ? start.truncatedTo(ChronoUnit.MINUTES).toEpochMilli() : Long.MIN_VALUE;
		long to = (end != null) ? end.toEpochMilli() : Long.MAX_VALUE;
		return saturated(sumStatement(DIMENSION_SUM, eventName, customerId).param("from", from)
			.param("to", to)
			.param("anyModel", filter.model() == null)
			.param("model", orEmpty(filter.model()))
			.param("anyTokenType", filter.tokenType() == null)
			.param("tokenType", orEmpty(filter.tokenType())));
	}

	@Override
	public long sum(String eventName, String customerId, @Nullable Instant start, @Nullable Instant end) {
		long from = (start != null) ? start.truncatedTo(ChronoUnit.MINUTES).toEpochMilli() : Long.MIN_VALUE;
		long to = (end != null) ? end.toEpochMilli() : Long.MAX_VALUE;
		return saturated(sumStatement(SUM, eventName, customerId).param("from", from).param("to", to));
	}

	@Override
	public long eventCount(String eventName, String customerId) {
		return saturated(sumStatement(EVENT_COUNT, eventName, customerId));
	}

	private JdbcClient.StatementSpec sumStatement(String sql, String eventName, String customerId) {
		return this.jdbc.sql(sql).param("eventName", eventName).param("customerId", customerId);
	}

	/**
	 * A SQL sum, exact whatever its size, as a {@code long} that stops at the maximum; 0
	 * for the sum of no rows.
	 */
	private static long saturated(JdbcClient.StatementSpec query) {
		BigDecimal sum = query.query(BigDecimal.class).optional().orElse(null);
		if (sum == null) {
			return 0;
		}
		return (sum.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) ? Long.MAX_VALUE : sum.longValueExact();
	}

	private void purgeIfDue(Instant now) {
		long due = this.nextPurge.get();
		if (now.toEpochMilli() >= due && this.nextPurge.compareAndSet(due, now.plus(PURGE_INTERVAL).toEpochMilli())) {
			this.lock.runAlone(PURGE_LOCK, PURGE_INTERVAL,
					() -> this.jdbc.sql(PURGE).param("before", now.minus(this.retention).toEpochMilli()).update());
		}
	}

}
