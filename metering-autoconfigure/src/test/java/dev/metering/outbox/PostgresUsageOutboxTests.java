package dev.metering.outbox;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.metering.support.PostgresServer;

/**
 * The outbox on a real PostgreSQL, shared by several instances.
 */
class PostgresUsageOutboxTests extends JdbcUsageOutboxContract {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Override
	DataSource dataSource() {
		return postgres.getPostgresDatabase();
	}

}
