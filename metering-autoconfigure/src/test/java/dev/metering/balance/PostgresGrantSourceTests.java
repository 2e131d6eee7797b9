package dev.metering.balance;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.sql.init.DatabaseInitializationMode;

import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.support.PostgresServer;

/**
 * Grants kept in a real PostgreSQL.
 */
class PostgresGrantSourceTests extends DatabaseGrantSourceContract {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@BeforeAll
	static void createTables() {
		new MeteringDataSourceScriptDatabaseInitializer(postgres.getPostgresDatabase(),
				DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
	}

	@Override
	DataSource database() {
		return postgres.getPostgresDatabase();
	}

}
