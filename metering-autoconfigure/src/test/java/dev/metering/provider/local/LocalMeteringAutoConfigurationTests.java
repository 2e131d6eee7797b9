package dev.metering.provider.local;

import java.time.Instant;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.provider.UsageEvent;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the local meter keeps its sums: in the application's database when it has one,
 * else in memory with a warning at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class LocalMeteringAutoConfigurationTests {

	private static final String IN_MEMORY_WARNING = "The local meter keeps the usage it was delivered in memory";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class));

	@Test
	void aDataSourceKeepsTheSumsInATable(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:local-meter-table").run((context) -> {
			deliver(context);
			assertThat(rows(context)).isOne();
			assertThat(output).doesNotContain(IN_MEMORY_WARNING);
		});
	}

	@Test
	void withoutADataSourceTheSumsStayInMemoryAndAWarningSaysSo(CapturedOutput output) {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with()).run((context) -> {
			assertThat(context).hasSingleBean(LocalMeterProvider.class);
			assertThat(output).contains(IN_MEMORY_WARNING + ": getUsage answers 0 after a restart");
		});
	}

	@Test
	void limitsKeptInMemoryKeepTheLocalMeterInMemoryToo(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:local-meter-memory", "metering.limits.store=memory")
			.run((context) -> {
				deliver(context);
				assertThat(rows(context)).isZero();
				assertThat(output).contains(IN_MEMORY_WARNING);
			});
	}

	@Test
	void limitsInTheDatabaseWithoutADataSourceFailAtStartUp() {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.limits.store=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage(
						"metering.limits.store=jdbc needs a DataSource (H2 or PostgreSQL), and the application has none"));
	}

	private static void deliver(AssertableApplicationContext context) {
		LocalMeterProvider meter = context.getBean(LocalMeterProvider.class);
		meter.deliver(new UsageEvent("usage_1", "ai_tokens", "cus_1", 7, Instant.now()));
		assertThat(meter.eventCount("ai_tokens", "cus_1")).isOne();
	}

	private static long rows(AssertableApplicationContext context) {
		return new JdbcTemplate(context.getBean(DataSource.class))
			.queryForObject("SELECT COUNT(*) FROM metering_local_usage", Long.class);
	}

}
