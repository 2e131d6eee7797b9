package dev.metering.outbox;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.BillingClient;
import dev.metering.MeterUsageSummary;
import dev.metering.autoconfigure.LocalMeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which outbox the auto-configuration picks, and the durable one at work on H2.
 */
class JdbcOutboxAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, MeteringAutoConfiguration.class,
				LocalMeteringAutoConfiguration.class))
		.withPropertyValues("metering.delivery.flush-interval=20ms");

	@Test
	void aDataSourceMakesTheOutboxDurableWithGroupCommit() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:auto-outbox").run((context) -> {
			assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(GroupCommitOutbox.class);
			recordAndDeliver(context, 500);
			assertThat(rows(context, "P")).isZero();
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
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:sync-outbox", "metering.outbox.sync=true",
				"metering.delivery.flush-interval=1h")
			.run((context) -> {
				assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(JdbcUsageOutbox.class);
				context.getBean(BillingClient.class).recordUsage("ai_tokens", "cus_1", 3);
				assertThat(rows(context, "P")).as("stored before delivery").isOne();
			});
	}

	@Test
	void memoryCanBeChosenDespiteADataSource() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:memory-outbox",
				"metering.outbox.store=memory")
			.run((context) -> assertThat(context.getBean(UsageOutbox.class)).isInstanceOf(InMemoryUsageOutbox.class));
	}

	@Test
	void jdbcWithoutADataSourceFailsSayingSo() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MeteringAutoConfiguration.class, LocalMeteringAutoConfiguration.class))
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
				assertThat(jdbc.queryForObject(
						"SELECT SUM(usage_value) FROM metering_usage_event WHERE status = 'D'", Long.class))
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
		return new JdbcTemplate(context.getBean(javax.sql.DataSource.class))
			.queryForObject("SELECT COUNT(*) FROM metering_usage_event WHERE status = ?", Integer.class, status);
	}

}
