package dev.metering.limits;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The usage one instance recorded, read from the outbox table, where the outbox in the
 * database stores each event with the instance that recorded it: every event recorded,
 * pending, delivered or dead-lettered, and the events merged into others counted as they
 * came (the merged ones record no instance). It runs in the caller's transaction when
 * there is one.
 */
final class OutboxRecordedUsage implements RecordedUsage {

	private static final String SUM = """
			SELECT COALESCE(SUM(usage_value), 0) FROM metering_usage_event
			WHERE recorded_by = :recordedBy AND occurred_at >= :from AND occurred_at < :until
			AND subject_id = :subjectId AND event_name IN (:eventNames)
			""";

	private final JdbcClient jdbc;

	private final Map<String, Set<String>> eventNamesByLimitKey;

	/**
	 * @param eventNamesByLimitKey the event names of the meters that feed each limit key
	 */
	OutboxRecordedUsage(JdbcClient jdbc, Map<String, Set<String>> eventNamesByLimitKey) {
		this.jdbc = jdbc;
		this.eventNamesByLimitKey = Map.copyOf(eventNamesByLimitKey);
	}

	@Override
	public long since(String holder, String referenceId, String limitKey, BillingPeriod period, Instant from) {
		Set<String> eventNames = this.eventNamesByLimitKey.getOrDefault(limitKey, Set.of());
		if (eventNames.isEmpty()) {
			return 0;
		}
		return this.jdbc.sql(SUM)
			.param("recordedBy", holder)
			.param("from", from.toEpochMilli())
			.param("until", period.end().toEpochMilli())
			.param("subjectId", referenceId)
			.param("eventNames", eventNames)
			.query(Long.class)
			.single();
	}

}
