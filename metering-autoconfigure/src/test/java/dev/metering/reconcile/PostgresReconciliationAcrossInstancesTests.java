package dev.metering.reconcile;

import java.util.UUID;

import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.support.PostgresServer;

/**
 * Two instances reconciling on one PostgreSQL database.
 */
class PostgresReconciliationAcrossInstancesTests extends ReconciliationAcrossInstancesContract {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Override
	String[] dataSourceProperties() {
		String database = "reconcile_" + UUID.randomUUID().toString().replace("-", "");
		new JdbcTemplate(postgres.getPostgresDatabase()).execute("CREATE DATABASE " + database);
		return new String[] { "spring.datasource.url=" + postgres.getJdbcUrl("postgres", database),
				"spring.datasource.username=postgres" };
	}

}
