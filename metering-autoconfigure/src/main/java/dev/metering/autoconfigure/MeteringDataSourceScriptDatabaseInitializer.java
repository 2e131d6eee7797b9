package dev.metering.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.boot.sql.init.AbstractScriptDatabaseInitializer;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.jdbc.datasource.init.DatabasePopulatorUtils;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Creates the metering tables at start-up when they are missing, as
 * {@code metering.jdbc.initialize-schema} says: {@code schema.sql}, in SQL that every
 * supported database runs, then the statements of the application's database, if it has
 * any, in {@code schema-h2.sql} or {@code schema-postgresql.sql}.
 * <p>
 * It needs spring-jdbc and spring-boot-sql only, not spring-boot-jdbc: the scripts run
 * through spring-jdbc's {@link ResourceDatabasePopulator}, and beans marked
 * {@code @DependsOnDatabaseInitialization} wait for it through
 * {@link MeteringSchemaInitializerDetector}.
 *
 * @since 0.1.0
 */
public final class MeteringDataSourceScriptDatabaseInitializer extends AbstractScriptDatabaseInitializer {

	static final String SCHEMA_LOCATION = "classpath:META-INF/metering/schema.sql";

	/**
	 * Where the statements of one database go, by {@link MeteringDatabase#platform()}.
	 */
	static final String PLATFORM_SCHEMA_LOCATION = "classpath:META-INF/metering/schema-%s.sql";

	private final DataSource dataSource;

	private final MeteringDatabase database;

	public MeteringDataSourceScriptDatabaseInitializer(DataSource dataSource, DatabaseInitializationMode mode) {
		this(dataSource, MeteringDatabase.of(dataSource), mode);
	}

	private MeteringDataSourceScriptDatabaseInitializer(DataSource dataSource, MeteringDatabase database,
			DatabaseInitializationMode mode) {
		super(settings(database, mode));
		this.dataSource = dataSource;
		this.database = database;
	}

	private static DatabaseInitializationSettings settings(MeteringDatabase database, DatabaseInitializationMode mode) {
		List<String> locations = new ArrayList<>(List.of(SCHEMA_LOCATION));
		if (database.platform() != null) {
			locations.add("optional:" + PLATFORM_SCHEMA_LOCATION.formatted(database.platform()));
		}
		DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
		settings.setSchemaLocations(locations);
		settings.setMode(mode);
		return settings;
	}

	@Override
	protected boolean isEmbeddedDatabase() {
		return this.database.inMemory();
	}

	@Override
	protected void runScripts(Scripts scripts) {
		ResourceDatabasePopulator populator = new ResourceDatabasePopulator();
		populator.setContinueOnError(scripts.isContinueOnError());
		populator.setSeparator(scripts.getSeparator());
		if (scripts.getEncoding() != null) {
			populator.setSqlScriptEncoding(scripts.getEncoding().name());
		}
		scripts.forEach(populator::addScript);
		DatabasePopulatorUtils.execute(populator, this.dataSource);
	}

}
