package dev.metering.pricing;

import java.math.BigDecimal;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The rounding carried per customer and event name in {@code metering_credit_carry},
 * beside the usage ledger: each instance adds what it carried, in one statement, so that
 * instances sharing the database never overwrite each other's.
 */
public final class JdbcCarryStore implements CarryStore {

	private static final String ADD = "UPDATE metering_credit_carry SET carried = carried + ? "
			+ "WHERE event_name = ? AND customer_id = ?";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	public JdbcCarryStore(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	@Override
	public BigDecimal load(String eventName, String customerId) {
		List<BigDecimal> carried = this.jdbc.queryForList(
				"SELECT carried FROM metering_credit_carry WHERE event_name = ? AND customer_id = ?", BigDecimal.class,
				eventName, customerId);
		return carried.isEmpty() ? BigDecimal.ZERO : carried.get(0);
	}

	@Override
	public void add(String eventName, String customerId, BigDecimal credits) {
		if (update(credits, eventName, customerId) > 0) {
			return;
		}
		try {
			this.transactions.executeWithoutResult((status) -> this.jdbc.update(
					"INSERT INTO metering_credit_carry (event_name, customer_id, carried) VALUES (?, ?, ?)", eventName,
					customerId, credits));
		}
		catch (DuplicateKeyException ex) {
			// another instance made the row first
			update(credits, eventName, customerId);
		}
	}

	private int update(BigDecimal credits, String eventName, String customerId) {
		Integer rows = this.transactions.execute((status) -> this.jdbc.update(ADD, credits, eventName, customerId));
		return (rows != null) ? rows : 0;
	}

}
