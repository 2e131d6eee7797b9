package dev.metering.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Why a metering feature keeps its state in memory rather than in the application's
 * database, said so that the application can act on it: the database needs a
 * {@link DataSource} bean and spring-jdbc on the class path, and whichever of the two is
 * missing is named.
 */
final class DatabaseAbsence {

	private static final String SPRING_JDBC_CLASS = "org.springframework.jdbc.core.JdbcTemplate";

	private static final String DATA_SOURCE = "a DataSource (H2 or PostgreSQL)";

	private static final String SPRING_JDBC = "spring-jdbc (org.springframework:spring-jdbc, which "
			+ "spring-boot-starter-jdbc brings)";

	private final boolean dataSource;

	private final boolean springJdbc;

	private DatabaseAbsence(boolean dataSource, boolean springJdbc) {
		this.dataSource = dataSource;
		this.springJdbc = springJdbc;
	}

	static DatabaseAbsence of(ConfigurableListableBeanFactory beans) {
		return new DatabaseAbsence(beans.getBeanNamesForType(DataSource.class, true, false).length > 0,
				ClassUtils.isPresent(SPRING_JDBC_CLASS, beans.getBeanClassLoader()));
	}

	/**
	 * Why {@code <property>=jdbc} cannot be honoured.
	 * @param property the store property, e.g. {@code metering.outbox.store}
	 */
	IllegalStateException storeFailure(String property) {
		if (this.dataSource && this.springJdbc) {
			return new IllegalStateException(property + "=jdbc found no DataSource when the metering "
					+ "auto-configurations looked for one; the application's is defined later. Define it in the "
					+ "application's own configuration, or in an auto-configuration that runs before them");
		}
		if (this.dataSource) {
			return new IllegalStateException(property + "=jdbc needs " + SPRING_JDBC
					+ " on the class path beside the application's DataSource, and it is not there");
		}
		return new IllegalStateException(
				property + "=jdbc needs " + DATA_SOURCE + (this.springJdbc ? ", and the application has none"
						: " and " + SPRING_JDBC + " on the class path; the application has neither"));
	}

	/**
	 * What the application lacks for the feature's state to be kept in its database, as
	 * the start of a sentence of advice, e.g. "Give the application a DataSource (H2 or
	 * PostgreSQL)".
	 */
	String advice() {
		if (this.dataSource && this.springJdbc) {
			return "Define the application's DataSource where the metering auto-configurations find it (in its own "
					+ "configuration, or an auto-configuration that runs before them)";
		}
		if (this.dataSource) {
			return "Add " + SPRING_JDBC + " beside the application's DataSource";
		}
		return "Give the application " + DATA_SOURCE + (this.springJdbc ? "" : " and " + SPRING_JDBC);
	}

}
