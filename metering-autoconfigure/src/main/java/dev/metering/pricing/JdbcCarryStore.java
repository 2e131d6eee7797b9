package dev.metering.pricing;

import java.math.BigDecimal;
import java.util.List;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The rounding carried per customer and event name in {@code metering_credit_carry},
 * beside the usage ledger: each instance adds what it carried, in one statement, so that
 * instances sharing the database never overwrite each other's.
 */
final class JdbcCarryStore implements CarryStore {

	private static final String LOAD = """
			SELECT carried FROM metering_credit_carry WHERE event_name = :eventName AND customer_id = :customerId
			""";

	private static final String ADD = """
			UPDATE metering_credit_carry SET carried = carried + :credits
			WHERE event_name = :eventName AND customer_id = :customerId
			""";

	private static final String INSERT = """
			INSERT INTO metering_credit_carry (event_name, customer_id, carried)
			VALUES (:eventName, :customerId, :credits)
			""";

	private final JdbcClient jdbc;

	private final TransactionOperations transactions;

	/**
	 * @param transactions transactions of their own, apart from any the caller has open
	 */
	JdbcCarryStore(JdbcClient jdbc, TransactionOperations transactions) {
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	@Override
	public BigDecimal load(String eventName, String customerId) {
		List<BigDecimal> carried = this.jdbc.sql(LOAD)
			.param("eventName", eventName)
			.param("customerId", customerId)
			.query(BigDecimal.class)
			.list();
		return carried.isEmpty() ? BigDecimal.ZERO : carried.get(0);
	}

	@Override
	public void add(String eventName, String customerId, BigDecimal credits) {
		if (update(credits, eventName, customerId) > 0) {
			return;
		}
		try {
			this.transactions
				.executeWithoutResult((status) -> statement(INSERT, eventName, customerId, credits).update());
		}
		catch (DuplicateKeyException ex) {
			// another instance made the row first
			update(credits, eventName, customerId);
		}
	}

	private int update(BigDecimal credits, String eventName, String customerId) {
		Integer rows = this.transactions.execute((status) -> statement(ADD, eventName, customerId, credits).update());
		return (rows != null) ? rows : 0;
	}

	private JdbcClient.StatementSpec statement(String sql, String eventName, String customerId, BigDecimal credits) {
		return this.jdbc.sql(sql)
			.param("eventName", eventName)
			.param("customerId", customerId)
			.param("credits", credits);
	}

}
