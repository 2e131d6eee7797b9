package dev.metering.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.limits.InMemoryUsageLedger;
import dev.metering.limits.JdbcUsageLedger;
import dev.metering.limits.UsageLedger;
import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.outbox.UsageOutbox;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which usage ledger the auto-configuration picks, and the one initializer that creates
 * the metering tables for the ledger and the outbox alike.
 */
@ExtendWith(OutputCaptureExtension.class)
class JdbcLimitsAutoConfigurationTests {

	private static final String IN_MEMORY_WARNING = "Plan limits are counted in memory";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class));

	@Test
	void aDataSourceKeepsTheLedgerInTheDatabase(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:auto-ledger").run((context) -> {
			assertThat(context).getBean(UsageLedger.class).isInstanceOf(JdbcUsageLedger.class);
			assertThat(context).hasSingleBean(MeteringDataSourceScriptDatabaseInitializer.class);
			assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(GroupCommitOutbox.class);
			assertThat(rows(context, "metering_usage_ledger")).isZero();
			assertThat(rows(context, "metering_usage_threshold")).isZero();
		});
		assertThat(output).doesNotContain(IN_MEMORY_WARNING);
	}

	@Test
	void theTablesAreCreatedWhenOnlyTheLedgerIsInTheDatabase() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:ledger-only", "metering.outbox.store=memory")
			.run((context) -> {
				assertThat(context).getBean(UsageLedger.class).isInstanceOf(JdbcUsageLedger.class);
				assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(InMemoryUsageOutbox.class);
				assertThat(context).hasSingleBean(MeteringDataSourceScriptDatabaseInitializer.class);
				assertThat(rows(context, "metering_usage_ledger")).isZero();
			});
	}

	@Test
	void storeMemoryKeepsTheLedgerInMemoryBesideADatabaseOutbox(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:memory-ledger", "metering.limits.store=memory")
			.run((context) -> {
				assertThat(context).getBean(UsageLedger.class).isInstanceOf(InMemoryUsageLedger.class);
				assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(GroupCommitOutbox.class);
			});
		assertThat(output).contains(IN_MEMORY_WARNING);
	}

	@Test
	void theLedgerHoldsItsSlicesUnderTheIdTheOutboxRecordsEventsWith() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:one-instance").run((context) -> {
			assertThat(context).hasSingleBean(MeteringInstance.class);
			// the heartbeat is made by the first flush, once start-up has checked the
			// tables
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(new JdbcTemplate(context.getBean(DataSource.class))
					.queryForList("SELECT holder FROM metering_ledger_holder", String.class))
					.containsExactly(context.getBean(MeteringInstance.class).id()));
		});
	}

	@Test
	void aLedgerInTheDatabaseBesideAnOutboxInMemoryWarnsThatAKillLosesItsLastFlush(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:ledger-beside-memory",
					"metering.outbox.store=memory")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("an instance killed without shutting down leaves the usage its calls settled in "
				+ "its last 200 ms uncounted");
	}

	@Test
	void aLeaseWithinAFewFlushesFailsNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:short-lease", "metering.limits.lease=500ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.limits.lease must be at least 1s, five times the usage ledger's "
						+ "flush interval of 200ms, was PT0.5S"));
	}

	@Test
	void withoutADataSourceTheLedgerIsInMemoryWithAWarning(CapturedOutput output) {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with()).run((context) -> {
			assertThat(context).getBean(UsageLedger.class).isInstanceOf(InMemoryUsageLedger.class);
			assertThat(context).doesNotHaveBean(MeteringDataSourceScriptDatabaseInitializer.class);
		});
		assertThat(output).contains(IN_MEMORY_WARNING + ": usage resets when the application restarts, and each "
				+ "instance counts only its own calls");
	}

	@Test
	void storeJdbcWithoutADataSourceFailsAtStartUp() {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.limits.store=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.limits.store=jdbc needs a DataSource"));
	}

	private static long rows(AssertableApplicationContext context, String table) {
		return new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("SELECT COUNT(*) FROM " + table,
				Long.class);
	}

}
