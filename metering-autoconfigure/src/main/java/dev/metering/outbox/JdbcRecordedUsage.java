package dev.metering.outbox;

import java.time.Instant;
import java.util.Collection;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Sums the usage one instance recorded in the outbox table for an organization or user,
 * as {@link JdbcUsageOutbox} stores it with the instance that recorded it: every event
 * recorded, pending, delivered or dead-lettered, and the events merged into others
 * counted as they came (the merged ones record no instance). It runs in the caller's
 * transaction when there is one.
 */
public final class JdbcRecordedUsage {

	private static final String SUM = """
			SELECT COALESCE(SUM(usage_value), 0) FROM metering_usage_event
			WHERE recorded_by = :recordedBy AND occurred_at >= :from AND occurred_at < :until
			AND subject_id = :subjectId AND event_name IN (:eventNames)
			""";

	private final JdbcClient jdbc;

	public JdbcRecordedUsage(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The usage recorded by an instance for a subject on some event names, stamped within
	 * {@code [from, until)}.
	 * @param recordedBy the instance
	 * @param subjectId the organization or user ID the events carry
	 */
	public long sum(String recordedBy, String subjectId, Collection<String> eventNames, Instant from, Instant until) {
		if (eventNames.isEmpty()) {
			return 0;
		}
		return this.jdbc.sql(SUM)
			.param("recordedBy", recordedBy)
			.param("from", from.toEpochMilli())
			.param("until", until.toEpochMilli())
			.param("subjectId", subjectId)
			.param("eventNames", eventNames)
			.query(Long.class)
			.single();
	}

}
