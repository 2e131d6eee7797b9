package dev.metering.balance;

import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;

/**
 * Grants kept in H2.
 */
class H2GrantSourceTests extends DatabaseGrantSourceContract {

	private final DataSource database = new DriverManagerDataSource(
			"jdbc:h2:mem:grants-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	H2GrantSourceTests() {
		new MeteringDataSourceScriptDatabaseInitializer(this.database, DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
	}

	@Override
	DataSource database() {
		return this.database;
	}

}
