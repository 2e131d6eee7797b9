package dev.metering.pricing;

import java.time.Duration;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Makes the carry of credit roundings kept in the application's database, beside the
 * usage ledger, so that instances sharing it stay within half a credit each of the exact
 * total.
 *
 * @since 0.1.0
 */
public final class CreditCarries {

	private CreditCarries() {
	}

	/**
	 * The carry written to {@code metering_credit_carry} every flush interval and when it
	 * closes.
	 * @param unitsPerCredit the units prices are in ({@link PriceList#unitsPerCredit()})
	 * @param transactions transactions of their own, apart from any the caller has open
	 * @param flushInterval how often it is written to the table
	 */
	public static CreditCarry inDatabase(long unitsPerCredit, JdbcClient jdbc, TransactionOperations transactions,
			Duration flushInterval) {
		return new CreditCarry(unitsPerCredit, new JdbcCarryStore(jdbc, transactions), flushInterval);
	}

}
