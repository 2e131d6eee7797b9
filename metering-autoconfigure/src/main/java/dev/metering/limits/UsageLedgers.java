package dev.metering.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

import dev.metering.UsageThresholdReachedEvent;

/**
 * Makes the usage ledger that plan limits are counted in, in memory or in the
 * application's database, with the thresholds it publishes a
 * {@link UsageThresholdReachedEvent} at.
 *
 * @since 0.1.0
 */
public final class UsageLedgers {

	private UsageLedgers() {
	}

	/**
	 * The ledger of this instance alone, in memory, each threshold published once by it.
	 * @param thresholds percentages of a limit, ascending, from 1 to 100
	 * @param balanceThresholds percentages of a balance's credit left, from 0 to 100, at
	 * which a {@link dev.metering.BalanceLowEvent} is published
	 */
	public static InMemoryUsageLedger inMemory(List<Integer> thresholds, List<Integer> balanceThresholds,
			ApplicationEventPublisher events) {
		return new InMemoryUsageLedger(
				new UsageThresholds(thresholds, balanceThresholds, new InMemoryThresholdClaims(), events));
	}

	/**
	 * The ledger in the tables {@code metering_usage_ledger},
	 * {@code metering_ledger_hold} and {@code metering_ledger_holder} (H2 or PostgreSQL),
	 * shared by every instance on the database, each threshold published once by one of
	 * them (table {@code metering_usage_threshold}).
	 * @param batches runs the ledger's statements
	 * @param transactions transactions of their own, apart from any the caller has open
	 * @param thresholds percentages of a limit, ascending, from 1 to 100
	 * @param balanceThresholds percentages of a balance's credit left, from 0 to 100, at
	 * which a {@link dev.metering.BalanceLowEvent} is published
	 * @param flushInterval how often usage settled is written back and free quota given
	 * back, well within the lease
	 * @param holder the instance's ID among those on the database, the same its outbox
	 * records events with
	 * @param lease how long what it holds stays its own without being renewed; renewed at
	 * every flush
	 * @param onStoreFailure what a call that needs quota does while the database cannot
	 * be reached
	 * @param recordedEventNames the event names of the meters that feed each limit key,
	 * when the outbox in the same database records them with the instance that recorded
	 * them, which is where the usage a dead instance had not written back is found; or
	 * {@code null} when the outbox is elsewhere, and that usage is lost to the limits
	 * @param clock the clock the outbox stamps recorded usage with
	 */
	public static JdbcUsageLedger inDatabase(JdbcClient jdbc, NamedParameterJdbcOperations batches,
			TransactionOperations transactions, List<Integer> thresholds, List<Integer> balanceThresholds,
			ApplicationEventPublisher events, Duration flushInterval, String holder, Duration lease,
			StoreFailurePolicy onStoreFailure, @Nullable Map<String, Set<String>> recordedEventNames, Clock clock) {
		RecordedUsage recordedUsage = (recordedEventNames != null) ? new OutboxRecordedUsage(jdbc, recordedEventNames)
				: RecordedUsage.NONE;
		UsageThresholds published = new UsageThresholds(thresholds, balanceThresholds,
				new JdbcThresholdClaims(jdbc, transactions, clock), events);
		return new JdbcUsageLedger(batches, transactions, published, flushInterval,
				new LedgerHolding(holder, lease, onStoreFailure, recordedUsage), clock);
	}

}
