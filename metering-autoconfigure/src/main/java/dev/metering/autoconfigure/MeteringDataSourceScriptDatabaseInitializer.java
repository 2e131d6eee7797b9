package dev.metering.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;

/**
 * Creates the metering tables at start-up when they are missing, as
 * {@code metering.jdbc.initialize-schema} says: {@code schema.sql}, in SQL that every supported
 * database runs, then the statements of the application's database, if it has any, in
 * {@code schema-@@platform@@.sql}.
 */
public final class MeteringDataSourceScriptDatabaseInitializer extends DataSourceScriptDatabaseInitializer {

	static final String SCHEMA_LOCATION = "classpath:META-INF/metering/schema.sql";

	static final String PLATFORM_SCHEMA_LOCATION = "optional:classpath:META-INF/metering/schema-@@platform@@.sql";

	public MeteringDataSourceScriptDatabaseInitializer(DataSource dataSource, DatabaseInitializationMode mode) {
		super(dataSource, settings(dataSource, mode));
	}

	private static DatabaseInitializationSettings settings(DataSource dataSource, DatabaseInitializationMode mode) {
		List<String> locations = new PlatformPlaceholderDatabaseDriverResolver().resolveAll(dataSource,
				SCHEMA_LOCATION, PLATFORM_SCHEMA_LOCATION);
		DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
		settings.setSchemaLocations(locations);
		settings.setMode(mode);
		return settings;
	}

}
