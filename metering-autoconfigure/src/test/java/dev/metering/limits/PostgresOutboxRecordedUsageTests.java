package dev.metering.limits;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.metering.support.PostgresServer;

/**
 * The usage an instance recorded, read back on PostgreSQL.
 */
class PostgresOutboxRecordedUsageTests extends OutboxRecordedUsageContract {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Override
	DataSource dataSource() {
		return postgres.getPostgresDatabase();
	}

}
