package dev.metering.outbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Sums the usage one instance recorded in the outbox table for an organization or user,
 * as {@link JdbcUsageOutbox} stores it with the instance that recorded it: every event
 * recorded, pending, delivered or dead-lettered, and the events merged into others
 * counted as they came (the merged ones record no instance). It runs in the caller's
 * transaction when there is one.
 */
public final class JdbcRecordedUsage {

	private final JdbcTemplate jdbc;

	public JdbcRecordedUsage(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
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
		List<Object> arguments = new ArrayList<>(
				List.of(recordedBy, from.toEpochMilli(), until.toEpochMilli(), subjectId));
		arguments.addAll(eventNames);
		Long sum = this.jdbc.queryForObject("SELECT COALESCE(SUM(usage_value), 0) FROM metering_usage_event "
				+ "WHERE recorded_by = ? AND occurred_at >= ? AND occurred_at < ? AND subject_id = ? AND event_name IN ("
				+ String.join(", ", Collections.nCopies(eventNames.size(), "?")) + ")", Long.class,
				arguments.toArray());
		return (sum != null) ? sum : 0;
	}

}
