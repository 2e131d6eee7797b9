package dev.metering.benchmarks;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.springframework.context.ConfigurableApplicationContext;

import dev.metering.BillingClient;
import dev.metering.RecordUsageResult;
import dev.metering.outbox.UndeliveredUsage;

/**
 * Events a second that {@code BillingClient.recordUsage} durably accepts into the JDBC
 * outbox, on H2 and on PostgreSQL, with group commit and with
 * {@code metering.outbox.sync: true}, from 1 and 8 recording threads, while the
 * dispatcher delivers to the local meter in the same database. Reports the backlog when
 * recording stops and how long delivery took to clear it.
 * {@code -Ddatabases=h2,postgresql}, {@code -Dcommits=group,sync} and
 * {@code -Dthreads=1,8} choose the runs.
 */
public final class DurableIngestLoad {

	private DurableIngestLoad() {
	}

	public static void main(String[] args) throws Exception {
		Duration warmUp = Duration.ofSeconds(Long.getLong("warmUpSeconds", 2));
		Duration measure = Duration.ofSeconds(Long.getLong("measureSeconds", 5));
		System.out.printf("%nDurable ingest: recordUsage into the JDBC outbox, %d s each after %d s warm-up%n",
				measure.toSeconds(), warmUp.toSeconds());
		System.out.printf("%-10s %-12s %8s %14s %16s %14s%n", "database", "commit", "threads", "events/s",
				"backlog at end", "drained in s");
		List<String> databases = List.of(System.getProperty("databases", "h2,postgresql").split(","));
		List<String> commits = List.of(System.getProperty("commits", "group,sync").split(","));
		List<String> threadCounts = List.of(System.getProperty("threads", "1,8").split(","));
		try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
			int run = 0;
			for (String database : databases) {
				for (String commit : commits) {
					boolean sync = commit.equals("sync");
					for (int threads : threadCounts.stream().mapToInt(Integer::parseInt).toArray()) {
						String url = database.equals("h2") ? "jdbc:h2:mem:ingest" + run + ";DB_CLOSE_DELAY=-1"
								: newPostgresDatabase(postgres, "ingest" + run);
						run++;
						measure(database, url, sync, threads, warmUp, measure);
					}
				}
			}
		}
	}

	private static String newPostgresDatabase(EmbeddedPostgres postgres, String name) throws Exception {
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		return postgres.getJdbcUrl("postgres", name);
	}

	private static void measure(String database, String url, boolean sync, int threads, Duration warmUp,
			Duration measure) throws InterruptedException {
		try (ConfigurableApplicationContext app = start(url, sync)) {
			BillingClient billing = app.getBean(BillingClient.class);
			record(billing, threads, warmUp);
			billing.flush(Duration.ofSeconds(60));
			double perSecond = record(billing, threads, measure) / (measure.toNanos() / 1e9);
			long backlog = app.getBean(UndeliveredUsage.class).pendingCount();
			long drainStart = System.nanoTime();
			boolean drained = billing.flush(Duration.ofSeconds(120));
			double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
			System.out.printf("%-10s %-12s %8d %,14.0f %,16d %14s%n", database, sync ? "sync" : "group", threads,
					perSecond, backlog, drained ? String.format("%.1f", drainSeconds) : "not in 120");
		}
	}

	/**
	 * Records from {@code threads} threads for {@code duration}; returns how many were
	 * accepted.
	 */
	private static long record(BillingClient billing, int threads, Duration duration) throws InterruptedException {
		AtomicBoolean running = new AtomicBoolean(true);
		LongAdder accepted = new LongAdder();
		List<Thread> recorders = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			recorders.add(new Thread(() -> {
				int n = thread;
				while (running.get()) {
					RecordUsageResult result = billing.recordUsage("ai_tokens", "cus_" + (n++ % 100), 17);
					if (!result.recorded()) {
						throw new IllegalStateException("recordUsage refused an event: " + result.error());
					}
					accepted.increment();
				}
			}));
		}
		recorders.forEach(Thread::start);
		Thread.sleep(duration.toMillis());
		running.set(false);
		for (Thread recorder : recorders) {
			recorder.join();
		}
		return accepted.sum();
	}

	private static ConfigurableApplicationContext start(String url, boolean sync) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.datasource.url", url);
		properties.put("spring.datasource.username", url.startsWith("jdbc:h2") ? "sa" : "postgres");
		properties.put("spring.datasource.hikari.maximum-pool-size", "16");
		properties.put("metering.jdbc.initialize-schema", "always");
		properties.put("metering.outbox.sync", Boolean.toString(sync));
		return MeteredApplication.start(properties);
	}

}
