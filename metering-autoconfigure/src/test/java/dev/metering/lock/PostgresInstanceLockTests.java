package dev.metering.lock;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.metering.support.PostgresServer;

/**
 * The locks on a real PostgreSQL.
 */
class PostgresInstanceLockTests extends InstanceLockContract {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Override
	DataSource dataSource() {
		return postgres.getPostgresDatabase();
	}

}
