package dev.metering.autoconfigure;

import java.sql.DatabaseMetaData;
import java.util.Locale;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/**
 * The application's database as metering needs to know it, read once from a connection's
 * metadata with spring-jdbc alone (Spring Boot's {@code DatabaseDriver} and
 * {@code EmbeddedDatabaseConnection} are in spring-boot-jdbc, which an application need
 * not have): which database it is, and whether it lives in memory only.
 */
final class MeteringDatabase {

	private final String product;

	private final String url;

	private MeteringDatabase(String product, String url) {
		this.product = (product != null) ? product : "an unknown database";
		this.url = (url != null) ? url : "";
	}

	static MeteringDatabase of(DataSource dataSource) {
		try {
			return JdbcUtils.extractDatabaseMetaData(dataSource,
					(DatabaseMetaData metaData) -> new MeteringDatabase(metaData.getDatabaseProductName(),
							metaData.getURL()));
		}
		catch (MetaDataAccessException ex) {
			throw new IllegalStateException("Could not tell which database the metering tables are in", ex);
		}
	}

	/** The database product, as its driver names it. */
	String product() {
		return this.product;
	}

	boolean isH2() {
		return "H2".equals(this.product);
	}

	boolean isPostgreSql() {
		return "PostgreSQL".equals(this.product);
	}

	/**
	 * The name of the database in {@code schema-<platform>.sql}, as Spring Boot spells
	 * it: {@code h2} or {@code postgresql}, or {@code null} for one metering does not
	 * support.
	 */
	@Nullable String platform() {
		if (isH2()) {
			return "h2";
		}
		return isPostgreSql() ? "postgresql" : null;
	}

	/**
	 * Whether the database lives in the application's memory, so that its tables are gone
	 * when it stops: what {@code metering.jdbc.initialize-schema=embedded} creates them
	 * in. As Spring Boot judges it for H2 and HSQLDB, by the URL; a Derby database counts
	 * only in memory too, where Boot counts every Derby database.
	 */
	boolean inMemory() {
		String lowerCaseUrl = this.url.toLowerCase(Locale.ROOT);
		return lowerCaseUrl.contains(":h2:mem") || lowerCaseUrl.contains(":hsqldb:mem:")
				|| lowerCaseUrl.contains(":derby:memory:");
	}

}
