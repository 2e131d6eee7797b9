package dev.metering.webhook;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.metering.support.PostgresServer;

/**
 * Cache changes shared through a real PostgreSQL.
 */
class PostgresCacheChangesTests extends JdbcCacheChangesContract {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Override
	DataSource dataSource() {
		return postgres.getPostgresDatabase();
	}

}
