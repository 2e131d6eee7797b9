package dev.metering.autoconfigure;

import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.provider.UsageEvent;
import dev.metering.outbox.UsageOutbox;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that keeps metering in a database of its own, qualified
 * {@link MeteringDataSource @MeteringDataSource}, beside its primary one.
 */
class MeteringDataSourceTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withUserConfiguration(TwoDatabases.class)
		.withPropertyValues("metering.outbox.sync=true");

	@Test
	void theMeteringTablesAndTheUsageAreInTheQualifiedDatabaseOnly() {
		this.contextRunner.run((context) -> {
			JdbcTemplate application = new JdbcTemplate(context.getBean("applicationDataSource", DataSource.class));
			JdbcTemplate metering = new JdbcTemplate(context.getBean("meteringDataSource", DataSource.class));
			assertThat(meteringTables(metering)).contains("metering_usage_event", "metering_usage_ledger",
					"metering_lock", "metering_webhook_event", "metering_local_usage");
			assertThat(meteringTables(application)).isEmpty();
			context.getBean(UsageOutbox.class)
				.append(new UsageEvent("usage_1", "ai_tokens", "cus_1", 5, Instant.parse("2026-01-01T00:00:00Z")));
			assertThat(metering.queryForObject("SELECT usage_value FROM metering_usage_event WHERE identifier = ?",
					Long.class, "usage_1"))
				.isEqualTo(5);
		});
	}

	private static List<String> meteringTables(JdbcTemplate jdbc) {
		return jdbc.queryForList(
				"SELECT LOWER(TABLE_NAME) FROM INFORMATION_SCHEMA.TABLES " + "WHERE LOWER(TABLE_NAME) LIKE 'metering%'",
				String.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoDatabases {

		@Bean
		@Primary
		DataSource applicationDataSource() {
			return new DriverManagerDataSource("jdbc:h2:mem:application;DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE");
		}

		@Bean
		@MeteringDataSource
		DataSource meteringDataSource() {
			return new DriverManagerDataSource("jdbc:h2:mem:metering;DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE");
		}

	}

}
