package dev.metering.support;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL for the tests of one class, started before them and stopped after:
 * {@code @RegisterExtension static final PostgresServer postgres = new PostgresServer();}
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {

	private EmbeddedPostgres postgres;

	/**
	 * One data source for the class's tests: a store's transactions bind connections to
	 * the data source its statements use.
	 */
	private DataSource database;

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		this.postgres = EmbeddedPostgres.start();
		this.database = this.postgres.getPostgresDatabase();
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		this.postgres.close();
	}

	/** The server's {@code postgres} database. */
	public DataSource getPostgresDatabase() {
		return this.database;
	}

	/** The port the server listens on. */
	public int getPort() {
		return this.postgres.getPort();
	}

	public String getJdbcUrl(String user, String database) {
		return this.postgres.getJdbcUrl(user, database);
	}

}
