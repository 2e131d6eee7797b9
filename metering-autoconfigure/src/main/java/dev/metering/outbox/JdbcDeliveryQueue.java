package dev.metering.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.DatabaseMetaData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.metering.BillingSubject;
import dev.metering.lock.InstanceLock;
import dev.metering.provider.UsageEvent;

import static dev.metering.outbox.UsageEventTable.AWAITING_CUSTOMER;
import static dev.metering.outbox.UsageEventTable.COALESCED;
import static dev.metering.outbox.UsageEventTable.COLUMNS;
import static dev.metering.outbox.UsageEventTable.DEAD;
import static dev.metering.outbox.UsageEventTable.DELIVERED;
import static dev.metering.outbox.UsageEventTable.PENDING;

/**
 * The outbox table as the dispatcher and operators see it, shared by every instance of
 * the application: each claims due events for a lease ({@code FOR UPDATE SKIP LOCKED}),
 * so that one instance sends an event, and another takes over the claims of one that
 * died. Both databases it supports, H2 and PostgreSQL, know
 * {@code FOR UPDATE SKIP LOCKED}.
 * <p>
 * Coalescing reads thousands of rows a pass. On PostgreSQL it locks them as it reads, so
 * that instances merge apart; H2 writes a lock into every row it locks, which doubled the
 * cost of a pass, so there it reads without locks, and the merge, whose every row update
 * is guarded, is undone and left to the next pass when another instance got to a row
 * first.
 */
public final class JdbcDeliveryQueue implements DeliveryQueue, UndeliveredUsage, DeliveredUsage {

	/** Most events one coalescing pass looks at. */
	private static final int COALESCE_SCAN = 5000;

	/** The lock of the purge, which one instance of those sharing the table does. */
	private static final String PURGE_LOCK = "purge metering_usage_event";

	/** As often as the dispatcher purges: one instance purges an hour. */
	private static final Duration PURGE_HOLD = Duration.ofHours(1);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final String instanceId;

	private final Duration lease;

	private final Clock clock;

	private final LongSupplier notYetWritten;

	private final InstanceLock lock;

	/**
	 * How the coalescing query ends: with row locks, or none where locking costs a write
	 * a row.
	 */
	private final String coalesceLocking;

	/**
	 * @param instanceId names this instance's claims
	 * @param lease how long a claim holds before another instance may take the event
	 * @param notYetWritten how many events were appended and are still on their way to
	 * the table (those a {@link GroupCommitOutbox} holds), which count as pending;
	 * {@code () -> 0} when events are written before {@code append} returns
	 * @param lock lets one instance of those sharing the table purge it
	 */
	public JdbcDeliveryQueue(DataSource dataSource, String instanceId, Duration lease, Clock clock,
			LongSupplier notYetWritten, InstanceLock lock) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.instanceId = instanceId;
		this.lease = lease;
		this.clock = clock;
		this.notYetWritten = notYetWritten;
		this.lock = lock;
		this.coalesceLocking = "H2".equals(databaseProduct(dataSource)) ? "" : " FOR UPDATE SKIP LOCKED";
	}

	private static String databaseProduct(DataSource dataSource) {
		try {
			return JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
		}
		catch (MetaDataAccessException ex) {
			throw new IllegalStateException("Could not tell which database the metering outbox is on", ex);
		}
	}

	@Override
	public int coalesce(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		if (eventNames.isEmpty()) {
			return 0;
		}
		long nowMillis = now.toEpochMilli();
		String names = String.join(", ", Collections.nCopies(eventNames.size(), "?"));
		// a claimed event may have reached the provider before its instance died: never
		// merge it
		List<Object> arguments = new ArrayList<>(List.of(nowMillis));
		arguments.addAll(eventNames);
		Integer covered;
		try {
			covered = this.transactions.execute((status) -> merge(names, arguments, now, identifiers));
		}
		catch (RowTakenException ex) {
			// rolled back: another instance claimed or merged one of the rows meanwhile
			return 0;
		}
		return (covered != null) ? covered : 0;
	}

	private int merge(String names, List<Object> arguments, Instant now, Supplier<String> identifiers) {
		long nowMillis = now.toEpochMilli();
		List<OutboxEntry> candidates = this.jdbc.query("SELECT " + COLUMNS + " FROM metering_usage_event "
				+ "WHERE status = '" + PENDING + "' AND attempts = 0 AND claimed_by IS NULL "
				+ "AND next_attempt_at <= ? AND event_name IN (" + names + ") ORDER BY occurred_at " + "FETCH FIRST "
				+ COALESCE_SCAN + " ROWS ONLY" + this.coalesceLocking, UsageEventTable::entry, arguments.toArray());
		Map<UsageEvent, List<UsageEvent>> merged = Coalescing
			.merge(candidates.stream().map(OutboxEntry::event).toList(), identifiers);
		if (merged.isEmpty()) {
			return 0;
		}
		Map<String, Instant> recordedAt = new HashMap<>();
		// rows stored before the outbox kept recording times tell when the usage happened
		// instead
		candidates.forEach((entry) -> recordedAt.put(entry.event().identifier(),
				(entry.recordedAt() != null) ? entry.recordedAt() : entry.event().timestamp()));
		UsageEventTable.insertMerged(this.jdbc, new ArrayList<>(merged.keySet()), now,
				(into) -> merged.get(into)
					.stream()
					.map((event) -> recordedAt.get(event.identifier()))
					.min(Instant::compareTo)
					.orElse(now));
		List<Object[]> coverage = new ArrayList<>();
		merged.forEach((into, events) -> events
			.forEach((event) -> coverage.add(new Object[] { into.identifier(), nowMillis, event.identifier() })));
		int[] updated = this.jdbc.batchUpdate("UPDATE metering_usage_event SET status = '" + COALESCED
				+ "', coalesced_into = ?, settled_at = ? WHERE identifier = ? AND status = '" + PENDING
				+ "' AND attempts = 0 AND claimed_by IS NULL", coverage);
		for (int count : updated) {
			if (count == 0) {
				throw new RowTakenException();
			}
		}
		return coverage.size();
	}

	/**
	 * A row read for a merge was claimed or merged by another instance before it was
	 * updated.
	 */
	private static final class RowTakenException extends RuntimeException {

		RowTakenException() {
			super(null, null, false, false);
		}

	}

	/** Claims due events for this instance's lease, oldest first. */
	@Override
	public List<OutboxEntry> due(Instant now, int max) {
		long nowMillis = now.toEpochMilli();
		List<OutboxEntry> claimed = this.transactions.execute((status) -> {
			List<OutboxEntry> entries = this.jdbc.query(
					"SELECT " + COLUMNS + " FROM metering_usage_event WHERE status = '" + PENDING
							+ "' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
							+ "ORDER BY next_attempt_at FETCH FIRST " + max + " ROWS ONLY FOR UPDATE SKIP LOCKED",
					UsageEventTable::entry, nowMillis, nowMillis);
			if (!entries.isEmpty()) {
				this.jdbc.batchUpdate(
						"UPDATE metering_usage_event SET claimed_by = ?, claimed_until = ? " + "WHERE identifier = ?",
						entries, entries.size(), (statement, entry) -> {
							statement.setString(1, this.instanceId);
							statement.setLong(2, nowMillis + this.lease.toMillis());
							statement.setString(3, entry.event().identifier());
						});
			}
			return entries;
		});
		return (claimed != null) ? claimed : Collections.emptyList();
	}

	/** Keeps {@code claimed_by}: an event ever claimed is never coalesced. */
	@Override
	public void releaseClaims() {
		this.jdbc.update("UPDATE metering_usage_event SET claimed_until = NULL WHERE claimed_by = ? AND status = '"
				+ PENDING + "' AND claimed_until IS NOT NULL", this.instanceId);
	}

	@Override
	public void markDelivered(String identifier) {
		this.jdbc.update("UPDATE metering_usage_event SET status = '" + DELIVERED + "', settled_at = ?, "
				+ "claimed_by = NULL, claimed_until = NULL WHERE identifier = ?", millisNow(), identifier);
	}

	@Override
	public void scheduleRetry(String identifier, Instant nextAttemptAt, String error) {
		this.jdbc.update("UPDATE metering_usage_event SET attempts = attempts + 1, next_attempt_at = ?, "
				+ "last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE identifier = ? AND status = '"
				+ PENDING + "'", nextAttemptAt.toEpochMilli(), UsageEventTable.truncated(error), identifier);
	}

	/**
	 * Keeps {@code claimed_by}: an event ever claimed is never coalesced, whatever held
	 * it back.
	 */
	@Override
	public void hold(String identifier, Instant nextAttemptAt, String reason) {
		this.jdbc.update(
				"UPDATE metering_usage_event SET next_attempt_at = ?, last_error = ?, claimed_until = NULL "
						+ "WHERE identifier = ? AND status = '" + PENDING + "'",
				nextAttemptAt.toEpochMilli(), UsageEventTable.truncated(reason), identifier);
	}

	@Override
	public void deadLetter(String identifier, String code, String message, Instant failedAt) {
		this.jdbc.update(
				"UPDATE metering_usage_event SET status = '" + DEAD + "', attempts = attempts + 1, "
						+ "failure_code = ?, last_error = ?, failed_at = ?, claimed_by = NULL, claimed_until = NULL "
						+ "WHERE identifier = ? AND status = '" + PENDING + "'",
				UsageEventTable.truncated(code), UsageEventTable.truncated(message), failedAt.toEpochMilli(),
				identifier);
	}

	/**
	 * Dead-letters a delivered row; a row the provider never saw under this identifier
	 * (one merged into another) or that is still pending is left as it is. Delivered rows
	 * are kept for {@code metering.outbox.retention}: a refusal reported later finds
	 * nothing.
	 */
	@Override
	public LateRefusal deadLetterDelivered(String identifier, String code, String message, Instant failedAt) {
		LateRefusal refusal = this.transactions.execute((status) -> {
			List<LateRefusal> found = this.jdbc.query(
					"SELECT " + COLUMNS + ", status FROM metering_usage_event " + "WHERE identifier = ? FOR UPDATE",
					(rs, row) -> {
						UsageEvent event = UsageEventTable.entry(rs, row).event();
						return switch (rs.getString("status")) {
							case DELIVERED -> new LateRefusal(LateRefusal.Outcome.DEAD_LETTERED, event);
							case DEAD -> new LateRefusal(LateRefusal.Outcome.ALREADY_DEAD_LETTER, event);
							default -> new LateRefusal(LateRefusal.Outcome.NOT_FOUND, event);
						};
					}, identifier);
			if (found.isEmpty()) {
				return LateRefusal.notFound();
			}
			if (found.get(0).outcome() == LateRefusal.Outcome.DEAD_LETTERED) {
				// the attempt that delivered it is the one refused
				this.jdbc.update("UPDATE metering_usage_event SET status = '" + DEAD + "', attempts = attempts + 1, "
						+ "failure_code = ?, last_error = ?, failed_at = ?, settled_at = NULL WHERE identifier = ?",
						UsageEventTable.truncated(code), UsageEventTable.truncated(message), failedAt.toEpochMilli(),
						identifier);
			}
			return found.get(0);
		});
		return (refusal != null) ? refusal : LateRefusal.notFound();
	}

	/** Pending rows, and events on their way to the table. */
	@Override
	public long pendingCount() {
		// events on their way first: one written between the two reads is then counted
		// twice,
		// never not at all, which would let flush() report done too early
		long onTheirWay = this.notYetWritten.getAsLong();
		Long count = this.jdbc.queryForObject("SELECT COUNT(*) FROM metering_usage_event WHERE status IN ('" + PENDING
				+ "', '" + AWAITING_CUSTOMER + "')", Long.class);
		return onTheirWay + ((count != null) ? count : 0);
	}

	@Override
	public List<DeadLetter> deadLetters() {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM metering_usage_event WHERE status = '" + DEAD
				+ "' ORDER BY failed_at, identifier", JdbcDeliveryQueue::deadLetter);
	}

	private static DeadLetter deadLetter(ResultSet rs, int row) throws SQLException {
		OutboxEntry entry = UsageEventTable.entry(rs, row);
		return new DeadLetter(entry.event(), rs.getString("failure_code"), rs.getString("last_error"), entry.attempts(),
				Instant.ofEpochMilli(rs.getLong("failed_at")));
	}

	@Override
	public List<DeadLetter> deadLetters(int offset, int limit) {
		return this.jdbc.query(
				"SELECT " + COLUMNS + " FROM metering_usage_event WHERE status = '" + DEAD
						+ "' ORDER BY failed_at, identifier OFFSET ? ROWS FETCH NEXT ? ROWS ONLY",
				JdbcDeliveryQueue::deadLetter, offset, limit);
	}

	/**
	 * Pending events (those waiting for their customer among them) and dead letters per
	 * event name, and the oldest pending, in one read.
	 */
	@Override
	public OutboxBacklog backlog() {
		long onTheirWay = this.notYetWritten.getAsLong();
		Map<String, Long> pending = new HashMap<>();
		Map<String, Long> dead = new HashMap<>();
		long[] oldest = { Long.MAX_VALUE };
		long[] awaiting = { 0 };
		// rows stored before the outbox kept recording times tell when the usage happened
		// instead
		this.jdbc.query("SELECT status, event_name, COUNT(*) AS events, MIN(COALESCE(recorded_at, occurred_at)) "
				+ "AS oldest FROM metering_usage_event WHERE status IN ('" + PENDING + "', '" + AWAITING_CUSTOMER
				+ "', '" + DEAD + "') GROUP BY status, event_name", (rs) -> {
					String status = rs.getString("status");
					long events = rs.getLong("events");
					if (DEAD.equals(status)) {
						dead.put(rs.getString("event_name"), events);
						return;
					}
					pending.merge(rs.getString("event_name"), events, Long::sum);
					oldest[0] = Math.min(oldest[0], rs.getLong("oldest"));
					if (AWAITING_CUSTOMER.equals(status)) {
						awaiting[0] += events;
					}
				});
		long stored = pending.values().stream().mapToLong(Long::longValue).sum();
		return new OutboxBacklog(stored + onTheirWay, pending, dead.values().stream().mapToLong(Long::longValue).sum(),
				dead, pending.isEmpty() ? null : Instant.ofEpochMilli(oldest[0]), awaiting[0]);
	}

	/**
	 * Sums the events sent: merged ones (status C) count in the event they were merged
	 * into.
	 */
	@Override
	public List<DeliveredTotal> deliveredTotals(Set<String> eventNames, Instant start, Instant end) {
		if (eventNames.isEmpty()) {
			return List.of();
		}
		List<Object> arguments = new ArrayList<>(List.of(start.toEpochMilli(), end.toEpochMilli()));
		arguments.addAll(eventNames);
		return this.jdbc.query(
				"SELECT event_name, customer_id, SUM(usage_value) AS delivered, COUNT(*) AS events "
						+ "FROM metering_usage_event WHERE status = '" + DELIVERED + "' AND occurred_at >= ? "
						+ "AND occurred_at < ? AND event_name IN ("
						+ String.join(", ", Collections.nCopies(eventNames.size(), "?"))
						+ ") GROUP BY event_name, customer_id ORDER BY event_name, customer_id",
				(rs, row) -> new DeliveredTotal(rs.getString("event_name"), rs.getString("customer_id"),
						rs.getLong("delivered"), rs.getLong("events")),
				arguments.toArray());
	}

	/** A dead letter that never had a customer waits for it again. */
	@Override
	public boolean redrive(String identifier) {
		return this.jdbc.update(
				"UPDATE metering_usage_event SET status = CASE WHEN customer_id IS NULL THEN '" + AWAITING_CUSTOMER
						+ "' ELSE '" + PENDING + "' END, attempts = 0, next_attempt_at = ?, "
						+ "failure_code = NULL, failed_at = NULL WHERE identifier = ? AND status = '" + DEAD + "'",
				millisNow(), identifier) == 1;
	}

	@Override
	public List<BillingSubject> awaitingCustomer(Instant now, int max) {
		return this.jdbc.query("SELECT subject_id, subject_type, MIN(COALESCE(recorded_at, occurred_at)) AS oldest "
				+ "FROM metering_usage_event WHERE status = '" + AWAITING_CUSTOMER + "' AND next_attempt_at <= ? "
				+ "GROUP BY subject_id, subject_type ORDER BY oldest FETCH FIRST " + max + " ROWS ONLY",
				(rs, row) -> new BillingSubject(rs.getString("subject_id"),
						BillingSubject.Type.valueOf(rs.getString("subject_type"))),
				now.toEpochMilli());
	}

	@Override
	public int nameCustomer(BillingSubject subject, String customerId, Instant now) {
		return this.jdbc.update(
				"UPDATE metering_usage_event SET customer_id = ?, status = '" + PENDING
						+ "', attempts = 0, next_attempt_at = ?, last_error = NULL WHERE status = '" + AWAITING_CUSTOMER
						+ "' AND subject_id = ? AND subject_type = ?",
				customerId, now.toEpochMilli(), subject.referenceId(), subject.type().name());
	}

	@Override
	public void awaitCustomer(BillingSubject subject, Instant nextLookupAt, String reason) {
		this.jdbc.update(
				"UPDATE metering_usage_event SET next_attempt_at = ?, last_error = ? WHERE status = '"
						+ AWAITING_CUSTOMER + "' AND subject_id = ? AND subject_type = ?",
				nextLookupAt.toEpochMilli(), UsageEventTable.truncated(reason), subject.referenceId(),
				subject.type().name());
	}

	@Override
	public int deadLetterAwaiting(BillingSubject subject, String code, String message, Instant failedAt) {
		return this.jdbc.update(
				"UPDATE metering_usage_event SET status = '" + DEAD + "', attempts = attempts + 1, "
						+ "failure_code = ?, last_error = ?, failed_at = ? WHERE status = '" + AWAITING_CUSTOMER
						+ "' AND subject_id = ? AND subject_type = ?",
				UsageEventTable.truncated(code), UsageEventTable.truncated(message), failedAt.toEpochMilli(),
				subject.referenceId(), subject.type().name());
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Unless another instance sharing the table purged it within the hour, holding the
	 * purge's lock: then it forgets none.
	 */
	@Override
	public int purgeSettled(Instant cutoff) {
		AtomicInteger purged = new AtomicInteger();
		this.lock.runAlone(PURGE_LOCK, PURGE_HOLD,
				() -> purged.set(this.jdbc.update("DELETE FROM metering_usage_event WHERE status IN ('" + DELIVERED
						+ "', '" + COALESCED + "') AND settled_at < ?", cutoff.toEpochMilli())));
		return purged.get();
	}

	private long millisNow() {
		return this.clock.millis();
	}

}
