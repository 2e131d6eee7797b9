package dev.metering.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * The databases the outbox knows, and their schema scripts in
 * {@code META-INF/metering/schema-<vendor>.sql}.
 */
public enum JdbcOutboxDatabase {

	H2("h2"), POSTGRESQL("postgresql");

	private final String vendor;

	JdbcOutboxDatabase(String vendor) {
		this.vendor = vendor;
	}

	/** The script that creates the outbox table if it does not exist. */
	public ClassPathResource schema() {
		return new ClassPathResource("META-INF/metering/schema-" + this.vendor + ".sql");
	}

	public void initializeSchema(DataSource dataSource) {
		new ResourceDatabasePopulator(schema()).execute(dataSource);
	}

	/**
	 * @throws IllegalStateException naming the database when the outbox does not support it
	 */
	public static JdbcOutboxDatabase of(DataSource dataSource) {
		Connection connection = DataSourceUtils.getConnection(dataSource);
		String product;
		try {
			product = connection.getMetaData().getDatabaseProductName();
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not tell which database the metering outbox is on", ex);
		}
		finally {
			DataSourceUtils.releaseConnection(connection, dataSource);
		}
		String name = product.toLowerCase(Locale.ROOT);
		if (name.contains("h2")) {
			return H2;
		}
		if (name.contains("postgres")) {
			return POSTGRESQL;
		}
		throw new IllegalStateException("The metering outbox supports H2 and PostgreSQL, not " + product
				+ "; set metering.outbox.store=memory or define a UsageOutbox bean");
	}

}
