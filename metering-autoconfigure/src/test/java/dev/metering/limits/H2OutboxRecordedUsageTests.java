package dev.metering.limits;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;

/**
 * The usage an instance recorded, read back on H2, the embedded default.
 */
class H2OutboxRecordedUsageTests extends OutboxRecordedUsageContract {

	private static final DataSource DATA_SOURCE = h2();

	@Override
	DataSource dataSource() {
		return DATA_SOURCE;
	}

	private static DataSource h2() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:recorded-usage;DB_CLOSE_DELAY=-1");
		return dataSource;
	}

}
