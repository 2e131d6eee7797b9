package dev.metering.outbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

import dev.metering.lock.InstanceLock;

/**
 * Makes the outbox in the application's database (H2 or PostgreSQL), table
 * {@code metering_usage_event}: the writers that store recorded events, the queue the
 * dispatcher and operators read, and the identifiers events are kept under.
 *
 * @since 0.1.0
 */
public final class UsageOutboxes {

	private UsageOutboxes() {
	}

	/**
	 * Identifiers for usage events, which the provider counts once each: a random prefix
	 * drawn once, then a counter, unique across instances and restarts.
	 */
	public static Supplier<String> eventIdentifiers() {
		return new EventIdentifiers()::next;
	}

	/**
	 * The outbox that stores every event before {@code append} returns.
	 * @param batches writes the events of a transaction in one batch
	 * @param transactions transactions of their own, apart from any the caller has open
	 * @param clock tells when an event was written, which is when its first attempt is
	 * due
	 * @param coalescedEventNames the event names whose events written together may be
	 * merged
	 * @param recordedBy the instance that records the events, kept with those of a known
	 * organization or user so that the usage ledger can recover what an instance that
	 * died had not written back; {@code null} for none
	 */
	public static UsageOutbox inDatabase(JdbcClient jdbc, NamedParameterJdbcOperations batches,
			TransactionOperations transactions, Clock clock, Set<String> coalescedEventNames,
			@Nullable String recordedBy) {
		return new JdbcUsageOutbox(jdbc, batches, transactions, clock, coalescedEventNames, recordedBy);
	}

	/**
	 * The outbox that queues events and writes them in groups to {@code store}.
	 * @param store an outbox made by {@link #inDatabase}
	 * @param queueCapacity how many events may wait to be written
	 * @param offerTimeout how long a caller waits for room in a full queue before it
	 * writes its event itself
	 * @param shutdownTimeout how long shutdown keeps trying to store what is queued
	 * @throws IllegalArgumentException when {@code store} was not made by
	 * {@link #inDatabase}
	 */
	public static GroupCommitOutbox groupCommit(UsageOutbox store, int queueCapacity, Duration commitInterval,
			Duration offerTimeout, Duration shutdownTimeout) {
		if (!(store instanceof JdbcUsageOutbox table)) {
			throw new IllegalArgumentException(
					"A group commit outbox writes to the one made by inDatabase, not " + store.getClass().getName());
		}
		return new GroupCommitOutbox(table, queueCapacity, commitInterval, offerTimeout, shutdownTimeout);
	}

	/**
	 * Whether an outbox stores its events in the database with the instance that recorded
	 * them, where the usage ledger finds the usage an instance that died had not written
	 * back: those made here do.
	 */
	public static boolean keepsRecordedUsage(@Nullable UsageOutbox outbox) {
		return outbox instanceof GroupCommitOutbox || outbox instanceof JdbcUsageOutbox;
	}

	/**
	 * The queue of the events stored in the database, as the dispatcher, the operators
	 * and reconciliation see it.
	 * @param instanceId names this instance's claims
	 * @param lease how long a claim holds before another instance may take the event
	 * @param notYetWritten how many events were appended and are still on their way to
	 * the table (those a {@link GroupCommitOutbox} holds), which count as pending;
	 * {@code () -> 0} when events are written before {@code append} returns
	 * @param lock lets one instance of those sharing the table purge it
	 * @param batches runs the statements made in batches, and tells which database it is
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	public static JdbcDeliveryQueue deliveryQueue(JdbcClient jdbc, NamedParameterJdbcOperations batches,
			TransactionOperations transactions, String instanceId, Duration lease, Clock clock,
			LongSupplier notYetWritten, InstanceLock lock) {
		return new JdbcDeliveryQueue(jdbc, batches, transactions, instanceId, lease, clock, notYetWritten, lock);
	}

}
