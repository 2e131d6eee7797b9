package dev.metering.outbox;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

import dev.metering.BillingSubject;
import dev.metering.lock.InstanceLock;
import dev.metering.provider.UsageEvent;

import static dev.metering.outbox.UsageEventTable.AWAITING_CUSTOMER;
import static dev.metering.outbox.UsageEventTable.CANCELLED;
import static dev.metering.outbox.UsageEventTable.COALESCED;
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
 * <p>
 * The statements spell the {@link UsageEventTable} statuses out: {@code P} pending,
 * {@code W} awaiting its customer, {@code D} delivered, {@code X} dead-lettered,
 * {@code C} merged into another, {@code K} cancelled.
 * <p>
 * Made by {@link UsageOutboxes#deliveryQueue}. Its bean is of this type, which is the
 * delivery queue, the undelivered and the delivered usage at once, so that the
 * auto-configurations that need any of them find it before it is made.
 *
 * @since 0.1.0
 */
public final class JdbcDeliveryQueue implements DeliveryQueue, UndeliveredUsage, DeliveredUsage {

	/** Most events one coalescing pass looks at. */
	private static final int COALESCE_SCAN = 5000;

	/** The lock of the purge, which one instance of those sharing the table does. */
	private static final String PURGE_LOCK = "purge metering_usage_event";

	/** As often as the dispatcher purges: one instance purges an hour. */
	private static final Duration PURGE_HOLD = Duration.ofHours(1);

	private static final String COALESCE_CANDIDATES = """
			SELECT identifier, event_name, customer_id, usage_value, occurred_at, attempts, next_attempt_at,
			last_error, failure_code, failed_at, recorded_at, model, token_type, subject_id, subject_type FROM metering_usage_event
			WHERE status = 'P' AND attempts = 0 AND claimed_by IS NULL AND next_attempt_at <= :now
			AND event_name IN (:eventNames) ORDER BY occurred_at FETCH FIRST :scan ROWS ONLY
			""";

	private static final String COALESCE_CANDIDATES_LOCKED = """
			SELECT identifier, event_name, customer_id, usage_value, occurred_at, attempts, next_attempt_at,
			last_error, failure_code, failed_at, recorded_at, model, token_type, subject_id, subject_type FROM metering_usage_event
			WHERE status = 'P' AND attempts = 0 AND claimed_by IS NULL AND next_attempt_at <= :now
			AND event_name IN (:eventNames) ORDER BY occurred_at FETCH FIRST :scan ROWS ONLY FOR UPDATE SKIP LOCKED
			""";

	private static final String COVER = """
			UPDATE metering_usage_event SET status = 'C', coalesced_into = :into, settled_at = :now
			WHERE identifier = :identifier AND status = 'P' AND attempts = 0 AND claimed_by IS NULL
			""";

	private static final String DUE = """
			SELECT identifier, event_name, customer_id, usage_value, occurred_at, attempts, next_attempt_at,
			last_error, failure_code, failed_at, recorded_at, model, token_type, subject_id, subject_type FROM metering_usage_event
			WHERE status = 'P' AND next_attempt_at <= :now AND (claimed_until IS NULL OR claimed_until < :now)
			ORDER BY next_attempt_at FETCH FIRST :max ROWS ONLY FOR UPDATE SKIP LOCKED
			""";

	private static final String CLAIM = """
			UPDATE metering_usage_event SET claimed_by = :instanceId, claimed_until = :until
			WHERE identifier = :identifier
			""";

	private static final String RELEASE_CLAIMS = """
			UPDATE metering_usage_event SET claimed_until = NULL
			WHERE claimed_by = :instanceId AND status = 'P' AND claimed_until IS NOT NULL
			""";

	private static final String MARK_DELIVERED = """
			UPDATE metering_usage_event SET status = 'D', settled_at = :now, claimed_by = NULL, claimed_until = NULL
			WHERE identifier = :identifier
			""";

	private static final String SCHEDULE_RETRY = """
			UPDATE metering_usage_event SET attempts = attempts + 1, next_attempt_at = :nextAttemptAt,
			last_error = :error, claimed_by = NULL, claimed_until = NULL WHERE identifier = :identifier AND status = 'P'
			""";

	private static final String HOLD = """
			UPDATE metering_usage_event SET next_attempt_at = :nextAttemptAt, last_error = :error, claimed_until = NULL
			WHERE identifier = :identifier AND status = 'P'
			""";

	private static final String DEAD_LETTER = """
			UPDATE metering_usage_event SET status = 'X', attempts = attempts + 1, failure_code = :code,
			last_error = :error, failed_at = :failedAt, claimed_by = NULL, claimed_until = NULL
			WHERE identifier = :identifier AND status = 'P'
			""";

	private static final String LOCK_FOR_REFUSAL = """
			SELECT identifier, event_name, customer_id, usage_value, occurred_at, attempts, next_attempt_at,
			last_error, failure_code, failed_at, recorded_at, model, token_type, subject_id, subject_type, status FROM metering_usage_event WHERE identifier = :identifier FOR UPDATE
			""";

	private static final String DEAD_LETTER_DELIVERED = """
			UPDATE metering_usage_event SET status = 'X', attempts = attempts + 1, failure_code = :code,
			last_error = :error, failed_at = :failedAt, settled_at = NULL WHERE identifier = :identifier
			""";

	private static final String PENDING_COUNT = """
			SELECT COUNT(*) FROM metering_usage_event WHERE status IN ('P', 'W')
			""";

	private static final String DEAD_LETTERS = """
			SELECT identifier, event_name, customer_id, usage_value, occurred_at, attempts, next_attempt_at,
			last_error, failure_code, failed_at, recorded_at, model, token_type, subject_id, subject_type FROM metering_usage_event WHERE status = 'X' ORDER BY failed_at, identifier
			""";

	private static final String DEAD_LETTER_PAGE = """
			SELECT identifier, event_name, customer_id, usage_value, occurred_at, attempts, next_attempt_at,
			last_error, failure_code, failed_at, recorded_at, model, token_type, subject_id, subject_type FROM metering_usage_event WHERE status = 'X' ORDER BY failed_at, identifier
			OFFSET :offset ROWS FETCH NEXT :limit ROWS ONLY
			""";

	private static final String BACKLOG = """
			SELECT status, event_name, COUNT(*) AS events, MIN(COALESCE(recorded_at, occurred_at)) AS oldest
			FROM metering_usage_event WHERE status IN ('P', 'W', 'X') GROUP BY status, event_name
			""";

	private static final String DELIVERED_TOTALS = """
			SELECT event_name, customer_id, SUM(usage_value) AS delivered, COUNT(*) AS events
			FROM metering_usage_event WHERE status = 'D' AND occurred_at >= :start AND occurred_at < :end
			AND event_name IN (:eventNames) GROUP BY event_name, customer_id ORDER BY event_name, customer_id
			""";

	private static final String REDRIVE = """
			UPDATE metering_usage_event SET status = CASE WHEN customer_id IS NULL THEN 'W' ELSE 'P' END,
			attempts = 0, next_attempt_at = :now, failure_code = NULL, failed_at = NULL
			WHERE identifier = :identifier AND status = 'X'
			""";

	private static final String AWAITING = """
			SELECT subject_id, subject_type, MIN(COALESCE(recorded_at, occurred_at)) AS oldest
			FROM metering_usage_event WHERE status = 'W' AND next_attempt_at <= :now
			GROUP BY subject_id, subject_type ORDER BY oldest FETCH FIRST :max ROWS ONLY
			""";

	private static final String NAME_CUSTOMER = """
			UPDATE metering_usage_event SET customer_id = :customerId, status = 'P', attempts = 0,
			next_attempt_at = :now, last_error = NULL
			WHERE status = 'W' AND subject_id = :subjectId AND subject_type = :subjectType
			""";

	private static final String AWAIT_CUSTOMER = """
			UPDATE metering_usage_event SET next_attempt_at = :nextLookupAt, last_error = :reason
			WHERE status = 'W' AND subject_id = :subjectId AND subject_type = :subjectType
			""";

	private static final String DEAD_LETTER_AWAITING = """
			UPDATE metering_usage_event SET status = 'X', attempts = attempts + 1, failure_code = :code,
			last_error = :error, failed_at = :failedAt
			WHERE status = 'W' AND subject_id = :subjectId AND subject_type = :subjectType
			""";

	private static final String PURGE = """
			DELETE FROM metering_usage_event WHERE status IN ('D', 'C', 'K') AND settled_at < :cutoff
			""";

	private static final String LOCK_FOR_CANCEL = """
			SELECT identifier, event_name, customer_id, usage_value, occurred_at, attempts, next_attempt_at,
			last_error, recorded_at, model, token_type, subject_id, subject_type, status, claimed_by, claimed_until,
			settled_at, coalesced_into FROM metering_usage_event WHERE identifier = :identifier FOR UPDATE
			""";

	/** A delivered event keeps its delivery time, an undelivered one is settled now. */
	private static final String CANCEL = """
			UPDATE metering_usage_event SET status = 'K', settled_at = COALESCE(settled_at, :now),
			claimed_by = NULL, claimed_until = NULL WHERE identifier = :identifier
			""";

	private static final String TAKE_OUT_OF_MERGED = """
			UPDATE metering_usage_event SET usage_value = :value WHERE identifier = :identifier
			""";

	private static final String RESTORE_DELIVERED = """
			UPDATE metering_usage_event SET status = 'D' WHERE identifier = :identifier AND status = 'K'
			""";

	private final JdbcClient jdbc;

	private final NamedParameterJdbcOperations batches;

	private final TransactionOperations transactions;

	private final String instanceId;

	private final Duration lease;

	private final Clock clock;

	private final LongSupplier notYetWritten;

	private final InstanceLock lock;

	/**
	 * The coalescing query: with row locks, or none where locking costs a write a row.
	 */
	private final String coalesceCandidates;

	/**
	 * @param instanceId names this instance's claims
	 * @param lease how long a claim holds before another instance may take the event
	 * @param notYetWritten how many events were appended and are still on their way to
	 * the table (those a {@link GroupCommitOutbox} holds), which count as pending;
	 * {@code () -> 0} when events are written before {@code append} returns
	 * @param lock lets one instance of those sharing the table purge it
	 * @param batches runs the statements made in batches, and tells which database it is
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	JdbcDeliveryQueue(JdbcClient jdbc, NamedParameterJdbcOperations batches, TransactionOperations transactions,
			String instanceId, Duration lease, Clock clock, LongSupplier notYetWritten, InstanceLock lock) {
		this.jdbc = jdbc;
		this.batches = batches;
		this.transactions = transactions;
		this.instanceId = instanceId;
		this.lease = lease;
		this.clock = clock;
		this.notYetWritten = notYetWritten;
		this.lock = lock;
		String product = batches.getJdbcOperations()
			.execute((ConnectionCallback<String>) (Connection connection) -> connection.getMetaData()
				.getDatabaseProductName());
		this.coalesceCandidates = "H2".equals(product) ? COALESCE_CANDIDATES : COALESCE_CANDIDATES_LOCKED;
	}

	@Override
	public int coalesce(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		if (eventNames.isEmpty()) {
			return 0;
		}
		// a claimed event may have reached the provider before its instance died: never
		// merge it
		Integer covered;
		try {
			covered = this.transactions.execute((status) -> merge(eventNames, now, identifiers));
		}
		catch (RowTakenException ex) {
			// rolled back: another instance claimed or merged one of the rows meanwhile
			return 0;
		}
		return (covered != null) ? covered : 0;
	}

	private int merge(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		long nowMillis = now.toEpochMilli();
		List<OutboxEntry> candidates = this.jdbc.sql(this.coalesceCandidates)
			.param("now", nowMillis)
			.param("eventNames", eventNames)
			.param("scan", COALESCE_SCAN)
			.query(UsageEventTable::entry)
			.list();
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
		UsageEventTable.insertMerged(this.batches, new ArrayList<>(merged.keySet()), now,
				(into) -> Objects.requireNonNull(merged.get(into))
					.stream()
					.map((event) -> recordedAt.get(event.identifier()))
					.min(Instant::compareTo)
					.orElse(now));
		List<MapSqlParameterSource> coverage = new ArrayList<>();
		merged.forEach((into, events) -> events.forEach(
				(event) -> coverage.add(new MapSqlParameterSource("into", into.identifier()).addValue("now", nowMillis)
					.addValue("identifier", event.identifier()))));
		int[] updated = this.batches.batchUpdate(COVER, coverage.toArray(MapSqlParameterSource[]::new));
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
			List<OutboxEntry> entries = this.jdbc.sql(DUE)
				.param("now", nowMillis)
				.param("max", max)
				.query(UsageEventTable::entry)
				.list();
			if (!entries.isEmpty()) {
				this.batches.batchUpdate(CLAIM,
						entries.stream()
							.map((entry) -> new MapSqlParameterSource("instanceId", this.instanceId)
								.addValue("until", nowMillis + this.lease.toMillis())
								.addValue("identifier", entry.event().identifier()))
							.toArray(MapSqlParameterSource[]::new));
			}
			return entries;
		});
		return (claimed != null) ? claimed : Collections.emptyList();
	}

	/** Keeps {@code claimed_by}: an event ever claimed is never coalesced. */
	@Override
	public void releaseClaims() {
		this.jdbc.sql(RELEASE_CLAIMS).param("instanceId", this.instanceId).update();
	}

	@Override
	public void markDelivered(String identifier) {
		this.jdbc.sql(MARK_DELIVERED).param("now", millisNow()).param("identifier", identifier).update();
	}

	@Override
	public void scheduleRetry(String identifier, Instant nextAttemptAt, @Nullable String error) {
		this.jdbc.sql(SCHEDULE_RETRY)
			.param("nextAttemptAt", nextAttemptAt.toEpochMilli())
			.param("error", UsageEventTable.truncated(error))
			.param("identifier", identifier)
			.update();
	}

	/**
	 * Keeps {@code claimed_by}: an event ever claimed is never coalesced, whatever held
	 * it back.
	 */
	@Override
	public void hold(String identifier, Instant nextAttemptAt, String reason) {
		this.jdbc.sql(HOLD)
			.param("nextAttemptAt", nextAttemptAt.toEpochMilli())
			.param("error", UsageEventTable.truncated(reason))
			.param("identifier", identifier)
			.update();
	}

	@Override
	public void deadLetter(String identifier, String code, @Nullable String message, Instant failedAt) {
		failure(DEAD_LETTER, code, message, failedAt).param("identifier", identifier).update();
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
			List<LateRefusal> found = this.jdbc.sql(LOCK_FOR_REFUSAL)
				.param("identifier", identifier)
				.query((rs, row) -> {
					UsageEvent event = UsageEventTable.entry(rs, row).event();
					return switch (rs.getString("status")) {
						case DELIVERED -> new LateRefusal(LateRefusal.Outcome.DEAD_LETTERED, event);
						case DEAD -> new LateRefusal(LateRefusal.Outcome.ALREADY_DEAD_LETTER, event);
						default -> new LateRefusal(LateRefusal.Outcome.NOT_FOUND, event);
					};
				})
				.list();
			if (found.isEmpty()) {
				return LateRefusal.notFound();
			}
			if (found.get(0).outcome() == LateRefusal.Outcome.DEAD_LETTERED) {
				// the attempt that delivered it is the one refused
				failure(DEAD_LETTER_DELIVERED, code, message, failedAt).param("identifier", identifier).update();
			}
			return found.get(0);
		});
		return (refusal != null) ? refusal : LateRefusal.notFound();
	}

	/**
	 * Locks the event's row, and marks it cancelled unless it is being delivered now
	 * (claimed, the claim not lapsed). An event merged into another that still waits is
	 * taken out of that one's value (which, left at nothing, is cancelled too); once that
	 * one is delivered, the provider has no event to cancel of it alone.
	 */
	@Override
	public Optional<CancelledUsage> cancel(String identifier) {
		long now = millisNow();
		Optional<CancelledUsage> cancelled = this.transactions.execute((status) -> {
			StoredEvent found = lockForCancel(identifier);
			if (found == null || CANCELLED.equals(found.status())) {
				return Optional.<CancelledUsage>empty();
			}
			UsageEvent event = found.event();
			found.requireNotInDelivery(now);
			if (COALESCED.equals(found.status())) {
				StoredEvent into = lockForCancel(Objects.requireNonNull(found.coalescedInto()));
				if (into == null || CANCELLED.equals(into.status()) || DELIVERED.equals(into.status())) {
					throw new IllegalStateException("Event '" + identifier + "' was sent merged with others in event '"
							+ found.coalescedInto() + "', of which the provider cannot cancel a part; set "
							+ "metering.delivery.coalesce=false for usage that may be cancelled after delivery");
				}
				into.requireNotInDelivery(now);
				long left = into.event().value() - event.value();
				this.jdbc.sql(TAKE_OUT_OF_MERGED)
					.param("value", Math.max(left, 0))
					.param("identifier", into.event().identifier())
					.update();
				if (left <= 0) {
					this.jdbc.sql(CANCEL).param("now", now).param("identifier", into.event().identifier()).update();
				}
			}
			this.jdbc.sql(CANCEL).param("now", now).param("identifier", identifier).update();
			return Optional.of(new CancelledUsage(event, found.deliveredAt()));
		});
		return (cancelled != null) ? cancelled : Optional.empty();
	}

	private @Nullable StoredEvent lockForCancel(String identifier) {
		return this.jdbc.sql(LOCK_FOR_CANCEL).param("identifier", identifier).query((rs, row) -> {
			long claimedUntil = rs.getLong("claimed_until");
			Long claimed = rs.wasNull() ? null : claimedUntil;
			long settledAt = rs.getLong("settled_at");
			String status = rs.getString("status");
			Instant deliveredAt = (DELIVERED.equals(status) && !rs.wasNull()) ? Instant.ofEpochMilli(settledAt) : null;
			return new StoredEvent(UsageEventTable.entry(rs, row).event(), status, claimed, deliveredAt,
					rs.getString("coalesced_into"));
		}).optional().orElse(null);
	}

	@Override
	public void restoreDelivered(String identifier) {
		this.jdbc.sql(RESTORE_DELIVERED).param("identifier", identifier).update();
	}

	/** Pending rows, and events on their way to the table. */
	@Override
	public long pendingCount() {
		// events on their way first: one written between the two reads is then counted
		// twice,
		// never not at all, which would let flush() report done too early
		long onTheirWay = this.notYetWritten.getAsLong();
		return onTheirWay + this.jdbc.sql(PENDING_COUNT).query(Long.class).single();
	}

	@Override
	public List<DeadLetter> deadLetters() {
		return this.jdbc.sql(DEAD_LETTERS).query(JdbcDeliveryQueue::deadLetter).list();
	}

	private static DeadLetter deadLetter(ResultSet rs, int row) throws SQLException {
		OutboxEntry entry = UsageEventTable.entry(rs, row);
		return new DeadLetter(entry.event(), rs.getString("failure_code"), rs.getString("last_error"), entry.attempts(),
				Instant.ofEpochMilli(rs.getLong("failed_at")));
	}

	@Override
	public List<DeadLetter> deadLetters(int offset, int limit) {
		return this.jdbc.sql(DEAD_LETTER_PAGE)
			.param("offset", offset)
			.param("limit", limit)
			.query(JdbcDeliveryQueue::deadLetter)
			.list();
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
		this.jdbc.sql(BACKLOG).query((rs) -> {
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
		return this.jdbc.sql(DELIVERED_TOTALS)
			.param("start", start.toEpochMilli())
			.param("end", end.toEpochMilli())
			.param("eventNames", eventNames)
			.query((rs, row) -> new DeliveredTotal(rs.getString("event_name"), rs.getString("customer_id"),
					rs.getLong("delivered"), rs.getLong("events")))
			.list();
	}

	/** A dead letter that never had a customer waits for it again. */
	@Override
	public boolean redrive(String identifier) {
		return this.jdbc.sql(REDRIVE).param("now", millisNow()).param("identifier", identifier).update() == 1;
	}

	@Override
	public List<BillingSubject> awaitingCustomer(Instant now, int max) {
		return this.jdbc.sql(AWAITING)
			.param("now", now.toEpochMilli())
			.param("max", max)
			.query((rs, row) -> new BillingSubject(rs.getString("subject_id"),
					BillingSubject.Type.valueOf(rs.getString("subject_type"))))
			.list();
	}

	@Override
	public int nameCustomer(BillingSubject subject, String customerId, Instant now) {
		return subject(NAME_CUSTOMER, subject).param("customerId", customerId)
			.param("now", now.toEpochMilli())
			.update();
	}

	@Override
	public void awaitCustomer(BillingSubject subject, Instant nextLookupAt, @Nullable String reason) {
		subject(AWAIT_CUSTOMER, subject).param("nextLookupAt", nextLookupAt.toEpochMilli())
			.param("reason", UsageEventTable.truncated(reason))
			.update();
	}

	@Override
	public int deadLetterAwaiting(BillingSubject subject, String code, String message, Instant failedAt) {
		return failure(DEAD_LETTER_AWAITING, code, message, failedAt).param("subjectId", subject.referenceId())
			.param("subjectType", subject.type().name())
			.update();
	}

	private JdbcClient.StatementSpec subject(String sql, BillingSubject subject) {
		return this.jdbc.sql(sql).param("subjectId", subject.referenceId()).param("subjectType", subject.type().name());
	}

	private JdbcClient.StatementSpec failure(String sql, String code, @Nullable String message, Instant failedAt) {
		return this.jdbc.sql(sql)
			.param("code", UsageEventTable.truncated(code))
			.param("error", UsageEventTable.truncated(message))
			.param("failedAt", failedAt.toEpochMilli());
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
				() -> purged.set(this.jdbc.sql(PURGE).param("cutoff", cutoff.toEpochMilli()).update()));
		return purged.get();
	}

	private long millisNow() {
		return this.clock.millis();
	}

	/**
	 * An event's row as a cancellation finds it.
	 *
	 * @param claimedUntil until when an instance claimed it for delivery, or {@code null}
	 * @param deliveredAt when it was delivered, or {@code null} when it was not
	 * @param coalescedInto the event it was merged into, or {@code null}
	 */
	private record StoredEvent(UsageEvent event, String status, @Nullable Long claimedUntil,
			@Nullable Instant deliveredAt, @Nullable String coalescedInto) {

		void requireNotInDelivery(long now) {
			if (PENDING.equals(this.status) && this.claimedUntil != null && this.claimedUntil >= now) {
				throw new IllegalStateException("Event '" + this.event.identifier()
						+ "' is being delivered now; cancel it once it is delivered");
			}
		}

	}

}
