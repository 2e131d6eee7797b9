package dev.metering.autoconfigure;

import javax.sql.DataSource;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The database metering keeps its tables in, and the JDBC collaborators its stores share,
 * made once from it. Not beans of their own types, so that the application's
 * {@code JdbcClient} and transactions stay its own: metering's transactions are new ones
 * on their own transaction manager, apart from any the caller has open, so that usage a
 * call recorded is kept when the caller's transaction rolls back.
 */
final class MeteringJdbc {

	private final DataSource dataSource;

	private final NamedParameterJdbcOperations operations;

	private final JdbcClient client;

	private final TransactionOperations transactions;

	MeteringJdbc(DataSource dataSource) {
		this.dataSource = dataSource;
		this.operations = new NamedParameterJdbcTemplate(dataSource);
		this.client = JdbcClient.create(this.operations);
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.transactions = transactions;
	}

	DataSource dataSource() {
		return this.dataSource;
	}

	/** For the statements run in batches, which {@link JdbcClient} does not run. */
	NamedParameterJdbcOperations operations() {
		return this.operations;
	}

	JdbcClient client() {
		return this.client;
	}

	TransactionOperations transactions() {
		return this.transactions;
	}

}
