package dev.metering.autoconfigure;

import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;

import dev.metering.BillingClient;
import dev.metering.limits.InMemoryUsageLedger;
import dev.metering.limits.JdbcUsageLedger;
import dev.metering.limits.UsageLedger;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.outbox.JdbcDeliveryQueue;
import dev.metering.outbox.UsageOutbox;
import dev.metering.support.ClassPathWithout;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with a DataSource of its own and spring-jdbc, but not spring-boot-jdbc
 * (the module of Boot's DataSourceAutoConfiguration, DatabaseDriver and script
 * initializers), keeps usage, limits and the local meter's sums in its database; one that
 * lacks what the database needs is told which part it lacks.
 */
@ExtendWith(OutputCaptureExtension.class)
class WithoutSpringBootJdbcTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.delivery.flush-interval=20ms");

	@Test
	void noLibraryClassUsesSpringBootJdbc() {
		JavaClasses library = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.metering");
		assertThat(library.stream()
			.flatMap((type) -> type.getDirectDependenciesFromSelf().stream())
			.filter((dependency) -> dependency.getTargetClass()
				.getPackageName()
				.startsWith("org.springframework.boot.jdbc"))
			.map(Dependency::getDescription)).isEmpty();
	}

	@Test
	void theApplicationsDataSourceKeepsUsageLimitsAndTheLocalMeterInItsTables(CapturedOutput output) {
		this.contextRunner.withClassLoader(ClassPathWithout.springBootJdbc())
			.withBean(DataSource.class, WithoutSpringBootJdbcTests::h2)
			.withPropertyValues("metering.outbox.store=jdbc", "metering.limits.store=jdbc")
			.run((context) -> {
				assertThat(
						ClassUtils.isPresent("org.springframework.boot.jdbc.DatabaseDriver", context.getClassLoader()))
					.as("spring-boot-jdbc hidden")
					.isFalse();
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(DeliveryQueue.class)).isInstanceOf(JdbcDeliveryQueue.class);
				assertThat(context.getBean(UsageLedger.class)).isInstanceOf(JdbcUsageLedger.class);
				BillingClient billing = context.getBean(BillingClient.class);
				assertThat(billing.recordUsage("ai_tokens", "cus_1", 7).recorded()).isTrue();
				assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM metering_usage_event WHERE status = 'D'",
						Integer.class))
					.isOne();
				assertThat(jdbc.queryForObject(
						"SELECT SUM(usage_sum) FROM metering_local_usage WHERE customer_id = 'cus_1'", Long.class))
					.isEqualTo(7);
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM metering_usage_ledger", Integer.class)).isZero();
			});
		assertThat(output).doesNotContain("Usage waits for delivery in memory")
			.doesNotContain("Plan limits are counted in memory")
			.doesNotContain("The local meter keeps the usage it was delivered in memory");
	}

	@Test
	void theApplicationsBeansThatWaitForDatabaseInitializationFindTheTables() {
		this.contextRunner.withClassLoader(ClassPathWithout.springBootJdbc())
			.withBean(DataSource.class, WithoutSpringBootJdbcTests::h2)
			.withUserConfiguration(ReadsTheOutboxAtStartUp.class)
			.run((context) -> assertThat(context.getBean(OutboxRows.class).count()).isZero());
		new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID())
			.withUserConfiguration(ReadsTheOutboxAtStartUp.class)
			.run((context) -> assertThat(context.getBean(OutboxRows.class).count()).isZero());
	}

	@Test
	void withoutSpringJdbcTheStoreSaysSoBesideTheApplicationsDataSource(CapturedOutput output) {
		ApplicationContextRunner withoutSpringJdbc = this.contextRunner.withClassLoader(ClassPathWithout.springJdbc())
			.withBean(DataSource.class, WithoutSpringBootJdbcTests::h2);
		withoutSpringJdbc.run((context) -> {
			assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(InMemoryUsageOutbox.class);
			assertThat(context.getBean(UsageLedger.class)).isInstanceOf(InMemoryUsageLedger.class);
		});
		assertThat(output)
			.contains("Usage waits for delivery in memory: a crash loses usage not yet delivered. Add "
					+ "spring-jdbc (org.springframework:spring-jdbc, which spring-boot-starter-jdbc brings) beside the "
					+ "application's DataSource for a durable outbox.")
			.doesNotContain("Give the application a DataSource");
		withoutSpringJdbc.withPropertyValues("metering.outbox.store=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.outbox.store=jdbc needs spring-jdbc (org.springframework:spring-jdbc, which "
						+ "spring-boot-starter-jdbc brings) on the class path beside the application's DataSource, "
						+ "and it is not there"));
		withoutSpringJdbc.withPropertyValues("metering.limits.store=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageStartingWith("metering.limits.store=jdbc needs spring-jdbc"));
	}

	@Test
	void withoutADataSourceTheStoreSaysThatAndOnlyThat() {
		this.contextRunner.withClassLoader(ClassPathWithout.springBootJdbc())
			.withPropertyValues("metering.outbox.store=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.outbox.store=jdbc needs a DataSource (H2 or PostgreSQL), and the application "
						+ "has none"));
		this.contextRunner.withClassLoader(ClassPathWithout.springJdbc())
			.withPropertyValues("metering.limits.store=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.limits.store=jdbc needs a DataSource (H2 or PostgreSQL) and spring-jdbc "
						+ "(org.springframework:spring-jdbc, which spring-boot-starter-jdbc brings) on the class path; "
						+ "the application has neither"));
	}

	private static DataSource h2() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE");
		return dataSource;
	}

	/** How many events the outbox held when the application's bean was made. */
	record OutboxRows(int count) {
	}

	/**
	 * Made before the metering beans, as the application's own beans are, unless it waits
	 * for database initialization as it says it does.
	 */
	@Configuration(proxyBeanMethods = false)
	static class ReadsTheOutboxAtStartUp {

		@Bean
		@DependsOnDatabaseInitialization
		OutboxRows outboxRows(DataSource dataSource) {
			return new OutboxRows(new JdbcTemplate(dataSource)
				.queryForObject("SELECT COUNT(*) FROM metering_usage_event", Integer.class));
		}

	}

}
