package dev.metering.lock;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The locks on H2.
 */
class H2InstanceLockTests extends InstanceLockContract {

	private static final DataSource DATA_SOURCE = new DriverManagerDataSource(
			"jdbc:h2:mem:instance-locks;DB_CLOSE_DELAY=-1");

	@Override
	DataSource dataSource() {
		return DATA_SOURCE;
	}

}
