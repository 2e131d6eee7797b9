package dev.metering.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.metering.support.PostgresServer;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances flushing the same organizations on PostgreSQL, where each flush holds the
 * rows it wrote until it commits.
 */
@ExtendWith(OutputCaptureExtension.class)
class JdbcUsageLedgerOnPostgresTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	private static final BillingPeriod PERIOD = new BillingPeriod(Instant.parse("2026-01-01T00:00:00Z"),
			Instant.parse("2026-02-01T00:00:00Z"));

	private static final int ORGANIZATIONS = 60;

	@Test
	void twoInstancesFlushingTheSameOrganizationsNeverDeadlockAndWriteEveryTokenOnce(CapturedOutput output)
			throws Exception {
		DataSource dataSource = postgres.getPostgresDatabase();
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource);
		Map<String, AtomicLong> used = new ConcurrentHashMap<>();
		try (JdbcUsageLedger first = ledger(dataSource); JdbcUsageLedger second = ledger(dataSource)) {
			List<JdbcUsageLedger> instances = List.of(first, second);
			ExecutorService callers = Executors.newFixedThreadPool(8);
			try {
				long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
				List<Future<?>> running = new ArrayList<>();
				for (int i = 0; i < 8; i++) {
					running.add(callers.submit(() -> callUntil(end, List.of(first, second), used)));
				}
				for (Future<?> caller : running) {
					caller.get();
				}
			}
			finally {
				callers.shutdown();
			}
		}
		List<Map<String, Object>> rows = new JdbcTemplate(dataSource)
			.queryForList("SELECT reference_id, used, leased FROM metering_usage_ledger");
		assertThat(rows).hasSize(used.size()).allSatisfy((row) -> {
			assertThat(row.get("used")).as("used of %s", row.get("reference_id"))
				.isEqualTo(used.get(row.get("reference_id")).get());
			assertThat(row.get("leased")).as("leased of %s once both closed", row.get("reference_id")).isEqualTo(0L);
		});
		assertThat(output).doesNotContain("Could not write").doesNotContain("deadlock");
	}

	/**
	 * Calls of random organizations on random instances, each using up to 100 tokens of
	 * 100 reserved.
	 */
	private static void callUntil(long end, List<JdbcUsageLedger> instances, Map<String, AtomicLong> used) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (System.nanoTime() < end) {
			String organization = "org_" + random.nextInt(ORGANIZATIONS);
			UsageLedger ledger = instances.get(random.nextInt(instances.size()));
			Admission admission = ledger.tryReserve(organization, "tokens", PERIOD, 1_000_000_000L, 100,
					Duration.ofSeconds(5));
			long use = 1 + random.nextInt(100);
			ledger.settle((Admission.Reservation) admission, use);
			used.computeIfAbsent(organization, (key) -> new AtomicLong()).addAndGet(use);
		}
	}

	private static JdbcUsageLedger ledger(DataSource dataSource) {
		return new JdbcUsageLedger(StoreJdbc.batches(dataSource), StoreJdbc.transactions(dataSource),
				new UsageThresholds(List.of(), List.of(), new InMemoryThresholdClaims(), (event) -> {
				}), Duration.ofMillis(20));
	}

}
