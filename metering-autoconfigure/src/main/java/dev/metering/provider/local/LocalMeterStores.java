package dev.metering.provider.local;

import java.time.Clock;
import java.time.Duration;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

import dev.metering.lock.InstanceLock;

/**
 * Makes the local meter's store in the application's database, where its sums survive a
 * restart and every instance sees the same.
 *
 * @since 0.1.0
 */
public final class LocalMeterStores {

	private LocalMeterStores() {
	}

	/**
	 * The store in the tables {@code metering_local_usage} and
	 * {@code metering_local_identifier} (H2 or PostgreSQL).
	 * @param transactions transactions of their own, apart from any the caller has open
	 * @param clock tells when an identifier was counted
	 * @param retention how long counted identifiers are remembered
	 * ({@code metering.outbox.retention}): a redelivery within it is not counted again
	 * @param lock lets one instance of those sharing the tables purge them
	 */
	public static LocalMeterStore inDatabase(JdbcClient jdbc, TransactionOperations transactions, Clock clock,
			Duration retention, InstanceLock lock) {
		return new JdbcLocalMeterStore(jdbc, transactions, clock, retention, lock);
	}

}
