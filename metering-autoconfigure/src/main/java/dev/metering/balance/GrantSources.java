package dev.metering.balance;

import java.time.Clock;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Makes the starter's own sources of credit grants: grants made through the starter and
 * kept by it.
 *
 * @since 0.1.0
 */
public final class GrantSources {

	private GrantSources() {
	}

	/**
	 * Grants kept in memory: lost with the process, and seen by one instance only.
	 * @param clock tells when a revoked grant ends
	 */
	public static GrantSource inMemory(Clock clock) {
		return new InMemoryGrantSource(clock);
	}

	/**
	 * Grants kept in {@code metering_grant}, shared by every instance on the database.
	 * @param transactions transactions of their own, apart from any the caller has open
	 * @param clock tells when a revoked grant ends
	 */
	public static GrantSource inDatabase(JdbcClient jdbc, TransactionOperations transactions, Clock clock) {
		return new JdbcGrantSource(jdbc, transactions, clock);
	}

}
