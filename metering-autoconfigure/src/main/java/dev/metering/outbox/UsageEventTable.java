package dev.metering.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;

import dev.metering.BillingSubject;
import dev.metering.UsageDimensions;
import dev.metering.provider.UsageEvent;

/**
 * The table {@code metering_usage_event} that the JDBC outbox keeps events in: its
 * statuses, the lengths of its columns, and how a row is written and read.
 */
final class UsageEventTable {

	static final String PENDING = "P";

	/** Pending, but its customer is not known yet: waits for the provider to name it. */
	static final String AWAITING_CUSTOMER = "W";

	static final String DELIVERED = "D";

	static final String DEAD = "X";

	/** Merged into another event, named in {@code coalesced_into}. */
	static final String COALESCED = "C";

	/** Cancelled: its usage given back, never delivered (again). */
	static final String CANCELLED = "K";

	private static final String INSERT = """
			INSERT INTO metering_usage_event (identifier, event_name, customer_id, usage_value, occurred_at, status,
			attempts, next_attempt_at, recorded_at, model, token_type, coalesced_into, settled_at, subject_id,
			subject_type, recorded_by) VALUES (:identifier, :eventName, :customerId, :value, :occurredAt, :status, 0,
			:dueAt, :recordedAt, :model, :tokenType, :coalescedInto, :settledAt, :subjectId, :subjectType,
			:recordedBy)
			""";

	private static final int IDENTIFIER_LENGTH = 100;

	private static final int EVENT_NAME_LENGTH = 200;

	private static final int CUSTOMER_ID_LENGTH = 200;

	private static final int MODEL_LENGTH = 200;

	private static final int TOKEN_TYPE_LENGTH = 40;

	private static final int SUBJECT_ID_LENGTH = 200;

	private static final int TEXT_LENGTH = 1000;

	private UsageEventTable() {
	}

	/**
	 * The first field of the event that is longer than its column, named as the event
	 * names it.
	 */
	static Optional<String> problemWith(UsageEvent event) {
		return tooLong("identifier", event.identifier(), IDENTIFIER_LENGTH)
			.or(() -> tooLong("eventName", event.eventName(), EVENT_NAME_LENGTH))
			.or(() -> tooLong("customerId", event.customerId(), CUSTOMER_ID_LENGTH))
			.or(() -> tooLong("model", event.dimensions().model(), MODEL_LENGTH))
			.or(() -> tooLong("tokenType", event.dimensions().tokenType(), TOKEN_TYPE_LENGTH))
			.or(() -> tooLong("referenceId", (event.subject() != null) ? event.subject().referenceId() : null,
					SUBJECT_ID_LENGTH));
	}

	private static Optional<String> tooLong(String field, @Nullable String value, int max) {
		if (value == null || value.length() <= max) {
			return Optional.empty();
		}
		return Optional.of(field + " is " + value.length() + " characters; the outbox holds at most " + max);
	}

	/**
	 * Inserts events recorded now, in the caller's transaction: pending, or waiting for
	 * their customer when they have none yet.
	 * @param now when they are recorded, which is when their first attempt is due
	 * @param recordedBy the instance that recorded them, or {@code null}: kept for events
	 * of a known subject, which the usage ledger of a dead instance is recovered from
	 */
	static void insert(NamedParameterJdbcOperations jdbc, List<UsageEvent> events, Instant now,
			@Nullable String recordedBy) {
		insert(jdbc, events, (event) -> event.hasCustomer() ? PENDING : AWAITING_CUSTOMER, now, (event) -> now,
				(event) -> null, null, recordedBy);
	}

	/**
	 * Inserts pending events that coalescing merged from others, in the caller's
	 * transaction; the rows they cover keep the instance that recorded them.
	 * @param dueAt when their first attempt is due
	 * @param recordedAt when each was recorded
	 */
	static void insertMerged(NamedParameterJdbcOperations jdbc, List<UsageEvent> events, Instant dueAt,
			Function<UsageEvent, Instant> recordedAt) {
		insert(jdbc, events, (event) -> PENDING, dueAt, recordedAt, (event) -> null, null, null);
	}

	/**
	 * Inserts events recorded now that are merged into others already, in the caller's
	 * transaction: settled as covered, each naming the event it was merged into.
	 * @param coveredBy each event with the identifier of the event it was merged into
	 * @param recordedBy the instance that recorded them, or {@code null}
	 */
	static void insertCoalesced(NamedParameterJdbcOperations jdbc, Map<UsageEvent, String> coveredBy, Instant now,
			@Nullable String recordedBy) {
		insert(jdbc, new ArrayList<>(coveredBy.keySet()), (event) -> COALESCED, now, (event) -> now, coveredBy::get,
				now, recordedBy);
	}

	private static void insert(NamedParameterJdbcOperations jdbc, List<UsageEvent> events,
			Function<UsageEvent, String> status, Instant dueAt, Function<UsageEvent, Instant> recordedAt,
			Function<UsageEvent, @Nullable String> coalescedInto, @Nullable Instant settledAt,
			@Nullable String recordedBy) {
		if (events.isEmpty()) {
			return;
		}
		jdbc.batchUpdate(INSERT, events.stream().map((event) -> {
			BillingSubject subject = event.subject();
			return new MapSqlParameterSource("identifier", event.identifier()).addValue("eventName", event.eventName())
				.addValue("customerId", event.customerId(), Types.VARCHAR)
				.addValue("value", event.value())
				.addValue("occurredAt", event.timestamp().toEpochMilli())
				.addValue("status", status.apply(event))
				.addValue("dueAt", dueAt.toEpochMilli())
				.addValue("recordedAt", recordedAt.apply(event).toEpochMilli())
				.addValue("model", event.dimensions().model(), Types.VARCHAR)
				.addValue("tokenType", event.dimensions().tokenType(), Types.VARCHAR)
				.addValue("coalescedInto", coalescedInto.apply(event), Types.VARCHAR)
				.addValue("settledAt", (settledAt != null) ? settledAt.toEpochMilli() : null, Types.BIGINT)
				.addValue("subjectId", (subject != null) ? subject.referenceId() : null, Types.VARCHAR)
				.addValue("subjectType", (subject != null) ? subject.type().name() : null, Types.VARCHAR)
				.addValue("recordedBy", (subject != null) ? recordedBy : null, Types.VARCHAR);
		}).toArray(MapSqlParameterSource[]::new));
	}

	/**
	 * Reads a row selected with its columns {@code identifier, event_name, customer_id,
	 * usage_value, occurred_at, attempts, next_attempt_at, last_error, recorded_at, model,
	 * token_type, subject_id, subject_type}.
	 */
	static OutboxEntry entry(ResultSet rs, int row) throws SQLException {
		String subjectId = rs.getString("subject_id");
		BillingSubject subject = (subjectId != null)
				? new BillingSubject(subjectId, BillingSubject.Type.valueOf(rs.getString("subject_type"))) : null;
		UsageEvent event = new UsageEvent(rs.getString("identifier"), rs.getString("event_name"),
				rs.getString("customer_id"), rs.getLong("usage_value"), Instant.ofEpochMilli(rs.getLong("occurred_at")),
				new UsageDimensions(rs.getString("model"), rs.getString("token_type")), subject);
		long recordedAt = rs.getLong("recorded_at");
		Instant recorded = rs.wasNull() ? null : Instant.ofEpochMilli(recordedAt);
		return new OutboxEntry(event, rs.getInt("attempts"), Instant.ofEpochMilli(rs.getLong("next_attempt_at")),
				rs.getString("last_error"), recorded);
	}

	/** Cuts a provider's error text to what its column holds. */
	static @Nullable String truncated(@Nullable String text) {
		return (text != null && text.length() > TEXT_LENGTH) ? text.substring(0, TEXT_LENGTH) : text;
	}

}
