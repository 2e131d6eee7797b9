package dev.metering.outbox;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.metering.provider.UsageEvent;

/**
 * Writes recorded events to the outbox table, where a {@link JdbcDeliveryQueue} finds them.
 * <p>
 * Writes run in transactions of their own, apart from any the caller has open: usage the
 * model already produced is billed even when the caller's transaction rolls back.
 */
public final class JdbcUsageOutbox implements UsageOutbox {

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final Clock clock;

	/**
	 * @param clock tells when an event was written, which is when its first attempt is due
	 */
	public JdbcUsageOutbox(DataSource dataSource, Clock clock) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
	}

	@Override
	public void append(UsageEvent event) {
		appendAll(List.of(event));
	}

	/**
	 * Writes several events in one transaction: all of them or, when it throws, none.
	 * @throws IllegalArgumentException when one of them has a {@linkplain #problemWith problem}
	 */
	public void appendAll(List<UsageEvent> events) {
		for (UsageEvent event : events) {
			problemWith(event).ifPresent((problem) -> {
				throw new IllegalArgumentException(problem);
			});
		}
		// due when written, not at their timestamp: an event stamped ahead is sent at once
		this.transactions.executeWithoutResult((status) -> UsageEventTable.insert(this.jdbc, events,
				this.clock.instant()));
	}

	/** Names a field longer than its column. */
	@Override
	public Optional<String> problemWith(UsageEvent event) {
		return UsageEventTable.problemWith(event);
	}

}
