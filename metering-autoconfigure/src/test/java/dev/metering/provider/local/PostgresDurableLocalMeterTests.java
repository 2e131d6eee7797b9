package dev.metering.provider.local;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.metering.support.PostgresServer;

/**
 * The local meter on a real PostgreSQL.
 */
class PostgresDurableLocalMeterTests extends DurableLocalMeterContract {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Override
	String[] dataSourceProperties() {
		return new String[] { "spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
				"spring.datasource.username=postgres", "spring.datasource.password=postgres" };
	}

}
