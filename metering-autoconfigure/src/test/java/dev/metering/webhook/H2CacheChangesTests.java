package dev.metering.webhook;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Cache changes shared through an H2 database.
 */
class H2CacheChangesTests extends JdbcCacheChangesContract {

	private static final DataSource dataSource = new DriverManagerDataSource(
			"jdbc:h2:mem:cache-changes-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");

	@Override
	DataSource dataSource() {
		return dataSource;
	}

}
