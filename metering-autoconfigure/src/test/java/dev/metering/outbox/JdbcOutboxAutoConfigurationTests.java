package dev.metering.outbox;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.BillingClient;
import dev.metering.MeterUsageSummary;
import dev.metering.RecordUsageResult;
import dev.metering.autoconfigure.JdbcOutboxAutoConfiguration;
import dev.metering.autoconfigure.LocalMeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which outbox the auto-configuration picks, and the durable one at work on H2.
 */
@ExtendWith(OutputCaptureExtension.class)
class JdbcOutboxAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcOutboxAutoConfiguration.class,
				MeteringAutoConfiguration.class, LocalMeteringAutoConfiguration.class))
		.withPropertyValues("metering.delivery.flush-interval=20ms");

	@Test
	void aDataSourceMakesTheOutboxDurableWithGroupCommit() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:auto-outbox").run((context) -> {
			assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(GroupCommitOutbox.class);
			assertThat(context.getBean(DeliveryQueue.class)).isInstanceOf(JdbcDeliveryQueue.class)
				.isSameAs(context.getBean(UndeliveredUsage.class));
			recordAndDeliver(context, 500);
			assertThat(rows(context, "P")).isZero();
		});
	}

	@Test
	void anH2UrlThatLetsH2CloseTheDatabaseAtShutdownIsWarnedAboutWithoutItsSettings(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:closes-first;DB_CLOSE_DELAY=-1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("The metering outbox is on H2 (jdbc:h2:mem:closes-first), which closes")
					.contains("Add ;DB_CLOSE_ON_EXIT=FALSE to spring.datasource.url")
					.doesNotContain("DB_CLOSE_DELAY");
			});
	}

	@Test
	void anH2UrlThatKeepsTheDatabaseOpenTillTheApplicationStopsIsNotWarnedAbout(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:stays-open;db_close_on_exit=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).doesNotContain("The metering outbox is on H2");
			});
	}

	@Test
	void aFullQueueNeitherDropsNorHoldsEvents() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:full-queue", "metering.outbox.queue-capacity=1",
					"metering.outbox.offer-timeout=1ms", "metering.outbox.commit-interval=50ms")
			.run((context) -> recordAndDeliver(context, 300));
	}

	@Test
	void syncWritesBeforeRecordUsageReturns() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:sync-outbox", "metering.outbox.sync=true",
					"metering.delivery.flush-interval=1h")
			.run((context) -> {
				assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(JdbcUsageOutbox.class);
				context.getBean(BillingClient.class).recordUsage("ai_tokens", "cus_1", 3);
				// the dispatcher's first pass may already have sent it: stored is pending
				// or delivered,
				// counted in one read, which a delivery between two reads cannot count
				// twice
				assertThat(new JdbcTemplate(context.getBean(DataSource.class)).queryForObject(
						"SELECT COUNT(*) FROM metering_usage_event WHERE status IN ('P', 'D')", Integer.class))
					.as("stored when recordUsage returned")
					.isOne();
			});
	}

	@Test
	void anEventTooLongForTheOutboxIsRefusedAndHoldsNothingBack() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:too-long", "metering.outbox.commit-interval=200ms")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				RecordUsageResult tooLong = billing.recordUsage("ai_tokens", "c".repeat(201), 2);
				assertThat(tooLong.recorded()).isFalse();
				assertThat(tooLong.error()).contains("customerId is 201 characters; the outbox holds at most 200");
				recordAndDeliver(context, 99);
			});
	}

	@Test
	void withoutSpringJdbcUsageWaitsInMemoryDespiteADataSource() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JdbcOutboxAutoConfiguration.class, MeteringAutoConfiguration.class,
					LocalMeteringAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(JdbcTemplate.class))
			.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:h2:mem:no-spring-jdbc"))
			.run((context) -> {
				assertThat(context).hasSingleBean(InMemoryUsageOutbox.class)
					.doesNotHaveBean(JdbcDeliveryQueue.class)
					.doesNotHaveBean(MeteringDataSourceScriptDatabaseInitializer.class);
				assertThat(context.getBean(DeliveryQueue.class)).isSameAs(context.getBean(UsageOutbox.class));
			});
	}

	@Test
	void badOutboxSettingsFailNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:bad-settings", "metering.outbox.commit-interval=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.outbox.commit-interval must not be negative, was PT-1S"));
		this.contextRunner.withPropertyValues("metering.delivery.shutdown-timeout=-2s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.delivery.shutdown-timeout must not be negative, was PT-2S"));
		this.contextRunner.withPropertyValues("metering.outbox.retention=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.outbox.retention must be positive, was PT0S"));
	}

	@Test
	void memoryCanBeChosenDespiteADataSource() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:memory-outbox", "metering.outbox.store=memory")
			.run((context) -> assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(InMemoryUsageOutbox.class));
	}

	@Test
	void jdbcWithoutADataSourceFailsSayingSo() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MeteringAutoConfiguration.class, LocalMeteringAutoConfiguration.class))
			.withPropertyValues("metering.outbox.store=jdbc")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.outbox.store=jdbc needs a DataSource"));
	}

	@Test
	void everythingQueuedIsStoredAndDeliveredAtShutdown() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:shutdown-outbox;DB_CLOSE_DELAY=-1",
					"metering.delivery.flush-interval=1h", "metering.outbox.commit-interval=200ms")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				for (int i = 0; i < 300; i++) {
					billing.recordUsage("ai_tokens", "cus_s", 1);
				}
				context.close();
				JdbcTemplate jdbc = new JdbcTemplate(
						new DriverManagerDataSource("jdbc:h2:mem:shutdown-outbox;DB_CLOSE_DELAY=-1", "sa", ""));
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM metering_usage_event WHERE status = 'P'",
						Integer.class))
					.isZero();
				assertThat(jdbc.queryForObject("SELECT SUM(usage_value) FROM metering_usage_event WHERE status = 'D'",
						Long.class))
					.as("delivered, coalesced or not")
					.isEqualTo(300);
			});
	}

	private static void recordAndDeliver(AssertableApplicationContext context, int events) {
		BillingClient billing = context.getBean(BillingClient.class);
		for (int i = 0; i < events; i++) {
			assertThat(billing.recordUsage("ai_tokens", "cus_" + (i % 5), 2).recorded()).isTrue();
		}
		assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
		long sum = 0;
		for (int c = 0; c < 5; c++) {
			List<MeterUsageSummary> usage = billing.getUsage("ai-tokens", "cus_" + c);
			sum += usage.get(0).aggregatedValue();
		}
		assertThat(sum).isEqualTo(2L * events);
	}

	private static int rows(AssertableApplicationContext context, String status) {
		return new JdbcTemplate(context.getBean(DataSource.class))
			.queryForObject("SELECT COUNT(*) FROM metering_usage_event WHERE status = ?", Integer.class, status);
	}

}
