package dev.metering.support;

import javax.sql.DataSource;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The JDBC collaborators of a store made on a test's database as the auto-configuration
 * makes them: transactions of their own, apart from any the caller has open.
 */
public final class StoreJdbc {

	private StoreJdbc() {
	}

	public static JdbcClient client(DataSource dataSource) {
		return JdbcClient.create(dataSource);
	}

	public static NamedParameterJdbcOperations batches(DataSource dataSource) {
		return new NamedParameterJdbcTemplate(dataSource);
	}

	public static TransactionOperations transactions(DataSource dataSource) {
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		return transactions;
	}

}
