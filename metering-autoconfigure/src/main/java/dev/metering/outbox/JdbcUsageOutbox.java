package dev.metering.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

import dev.metering.provider.UsageEvent;

/**
 * Writes recorded events to the outbox table, where a {@link JdbcDeliveryQueue} finds
 * them.
 * <p>
 * Writes run in transactions of their own, apart from any the caller has open: usage the
 * model already produced is billed even when the caller's transaction rolls back.
 * <p>
 * Events written together that the dispatcher would merge (of one customer, sum meter,
 * dimensions and hour) are stored merged already: the merged event pending, the events it
 * covers beside it, in the same transaction. Under load the group commit writer writes
 * hundreds at a time, and the dispatcher then has that many fewer rows to read and
 * update.
 */
final class JdbcUsageOutbox implements UsageOutbox {

	/** How often {@link #hasRoom()} asks a database that failed whether it is back. */
	private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

	private final JdbcClient jdbc;

	private final NamedParameterJdbcOperations batches;

	private final TransactionOperations transactions;

	private final Clock clock;

	private final Set<String> coalescedEventNames;

	private final @Nullable String recordedBy;

	private final EventIdentifiers identifiers = new EventIdentifiers();

	/** The last write failed for a reason other than the data: the database is away. */
	private volatile boolean failing;

	/**
	 * When {@link #hasRoom()} last asked the database whether it is back
	 * ({@link System#nanoTime()}).
	 */
	private volatile long probedAt;

	/**
	 * An outbox that stores every event as it comes, recorded by no instance in
	 * particular.
	 * @param clock tells when an event was written, which is when its first attempt is
	 * due
	 */
	JdbcUsageOutbox(JdbcClient jdbc, NamedParameterJdbcOperations batches, TransactionOperations transactions,
			Clock clock) {
		this(jdbc, batches, transactions, clock, Set.of(), null);
	}

	/**
	 * @param clock tells when an event was written, which is when its first attempt is
	 * due
	 * @param coalescedEventNames the event names whose events written together may be
	 * merged
	 * @param recordedBy the instance that records the events, kept with those of a known
	 * organization or user so that the usage ledger can recover what an instance that
	 * died had not written back (which the usage ledger reads); {@code null} for none
	 * @param batches writes the events of a transaction in one batch
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	JdbcUsageOutbox(JdbcClient jdbc, NamedParameterJdbcOperations batches, TransactionOperations transactions,
			Clock clock, Set<String> coalescedEventNames, @Nullable String recordedBy) {
		this.jdbc = jdbc;
		this.batches = batches;
		this.transactions = transactions;
		this.clock = clock;
		this.coalescedEventNames = Set.copyOf(coalescedEventNames);
		this.recordedBy = recordedBy;
	}

	@Override
	public void append(UsageEvent event) {
		appendAll(List.of(event));
	}

	/**
	 * {@code false} while the database is away, as the last write found it, until it
	 * answers again (asked at most once a {@linkplain #PROBE_EVERY second}): written
	 * before {@code append} returns, usage has nowhere else to wait.
	 */
	@Override
	public boolean hasRoom() {
		if (!this.failing) {
			return true;
		}
		long now = System.nanoTime();
		if (now - this.probedAt < PROBE_EVERY.toNanos()) {
			return false;
		}
		this.probedAt = now;
		try {
			this.jdbc.sql("SELECT 1").query(Integer.class).single();
			this.failing = false;
			return true;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Writes several events in one transaction: all of them or, when it throws, none.
	 * @throws IllegalArgumentException when one of them has a {@linkplain #problemWith
	 * problem}
	 */
	public void appendAll(List<UsageEvent> events) {
		for (UsageEvent event : events) {
			problemWith(event).ifPresent((problem) -> {
				throw new IllegalArgumentException(problem);
			});
		}
		// due when written, not at their timestamp: an event stamped ahead is sent at
		// once
		Instant now = this.clock.instant();
		Map<UsageEvent, List<UsageEvent>> merged = merged(events);
		try {
			write(events, now, merged);
			this.failing = false;
		}
		catch (DataIntegrityViolationException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			// no connection, no transaction: the database is away
			this.failing = true;
			throw ex;
		}
	}

	private void write(List<UsageEvent> events, Instant now, Map<UsageEvent, List<UsageEvent>> merged) {
		this.transactions.executeWithoutResult((status) -> {
			if (merged.isEmpty()) {
				UsageEventTable.insert(this.batches, events, now, this.recordedBy);
				return;
			}
			Map<UsageEvent, String> covered = new LinkedHashMap<>();
			merged.forEach((into, group) -> group.forEach((event) -> covered.put(event, into.identifier())));
			List<UsageEvent> unmerged = events.stream().filter((event) -> !covered.containsKey(event)).toList();
			UsageEventTable.insert(this.batches, new ArrayList<>(merged.keySet()), now, null);
			UsageEventTable.insert(this.batches, unmerged, now, this.recordedBy);
			UsageEventTable.insertCoalesced(this.batches, covered, now, this.recordedBy);
		});
	}

	private Map<UsageEvent, List<UsageEvent>> merged(List<UsageEvent> events) {
		if (events.size() < 2 || this.coalescedEventNames.isEmpty()) {
			return Map.of();
		}
		// an event waiting for its customer is merged, if at all, once the customer is
		// named
		List<UsageEvent> candidates = events.stream()
			.filter((event) -> event.hasCustomer() && this.coalescedEventNames.contains(event.eventName()))
			.toList();
		try {
			return Coalescing.merge(candidates, this.identifiers::next);
		}
		catch (ArithmeticException ex) {
			// a sum beyond a long: stored as they came, each is sent on its own
			return Map.of();
		}
	}

	/** Names a field longer than its column. */
	@Override
	public Optional<String> problemWith(UsageEvent event) {
		return UsageEventTable.problemWith(event);
	}

}
