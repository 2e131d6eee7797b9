package dev.metering.outbox;

import java.io.IOException;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The outbox on a real PostgreSQL, shared by several instances.
 */
class PostgresUsageOutboxTests extends JdbcUsageOutboxContract {

	private static EmbeddedPostgres postgres;

	@BeforeAll
	static void startPostgres() throws IOException {
		postgres = EmbeddedPostgres.start();
	}

	@AfterAll
	static void stopPostgres() throws IOException {
		postgres.close();
	}

	@Override
	DataSource dataSource() {
		return postgres.getPostgresDatabase();
	}

}
