package dev.metering.crash;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.support.StubServer;
import dev.metering.support.WireMockJournal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills a recording application with SIGKILL mid-run, starts it again to drain, and
 * counts what reached the Stripe stub as Stripe would: once per identifier.
 */
class CrashRecoveryTests {

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	static EmbeddedPostgres postgres;

	@TempDir
	Path work;

	@BeforeAll
	static void start() throws IOException {
		postgres = EmbeddedPostgres.start();
	}

	@AfterAll
	static void stop() throws IOException {
		postgres.close();
	}

	@ParameterizedTest(name = "{0}, sync={1}")
	@CsvSource({ "h2, true", "h2, false", "postgresql, true", "postgresql, false" })
	void killedMidRunThenRestartedDeliversEachStoredEventOnceAndEveryAcknowledgedOne(String database, boolean sync)
			throws Exception {
		stripe.stubFor(post(urlEqualTo("/v1/billing/meter_events")).willReturn(aResponse().withFixedDelay(2)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"object\":\"billing.meter_event\",\"event_name\":\"ai_tokens\",\"identifier\":\"x\","
					+ "\"livemode\":false,\"payload\":{},\"timestamp\":1763900000}")));
		String jdbcUrl = jdbcUrl(database);
		Path log = this.work.resolve("events.log");

		Process recorder = start("record", jdbcUrl, sync, log);
		// a commit per event waits for the disk: fewer events make the same point
		int killAfter = sync ? 150 : 1500;
		await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged(log).size() >= killAfter);
		recorder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		Map<String, Long> acknowledged = acknowledged(log);

		Process drainer = start("drain", jdbcUrl, sync, null);
		assertThat(drainer.waitFor(90, TimeUnit.SECONDS)).isTrue();
		assertThat(drainer.exitValue()).as("drained").isZero();

		Map<String, Long> delivered = deliveredOncePerIdentifier();
		Map<String, Long> stored = storedEvents(jdbcUrl);
		// what recordUsage acknowledged was stored (sync: all of it; group commit: all
		// but the
		// last commit interval's worth), and what was stored arrived, each event once
		if (sync) {
			assertThat(stored).containsAllEntriesOf(acknowledged);
			// at most the one event the kill caught between its commit and its
			// acknowledgement
			assertThat(stored.size() - acknowledged.size()).isBetween(0, 1);
		}
		assertThat(sum(delivered)).as(() -> diagnosis(jdbcUrl, acknowledged, stored, delivered)).isEqualTo(sum(stored));
		assertThat(java.util.Collections.disjoint(delivered.keySet(), coveredByCoalescing(jdbcUrl)))
			.as("no event sent both alone and inside a merged one")
			.isTrue();
	}

	private String diagnosis(String jdbcUrl, Map<String, Long> acknowledged, Map<String, Long> stored,
			Map<String, Long> delivered) {
		try {
			return "acknowledged " + acknowledged.size() + ", stored " + stored.size() + ", delivered "
					+ delivered.size() + "; rows "
					+ jdbc(jdbcUrl).queryForList("SELECT status, attempts, "
							+ "claimed_by, COUNT(*) n, SUM(usage_value) v FROM metering_usage_event GROUP BY status, "
							+ "attempts, claimed_by")
					+ "; delivered " + delivered + "\n--- record\n" + Files.readString(this.work.resolve("record.out"))
					+ "\n--- drain\n" + Files.readString(this.work.resolve("drain.out"));
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	private Process start(String mode, String jdbcUrl, boolean sync, Path log) throws IOException {
		List<String> command = new java.util.ArrayList<>(
				List.of(javaExecutable(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
						RecordingProcess.class.getName(), mode, jdbcUrl, stripe.baseUrl(), Boolean.toString(sync)));
		command.add((log != null) ? log.toString() : "-");
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.work.resolve(mode + ".out").toFile())
			.start();
	}

	private String jdbcUrl(String database) {
		if ("h2".equals(database)) {
			// WRITE_DELAY=0: H2 otherwise keeps commits in memory for up to half a second
			return "jdbc:h2:file:" + this.work.resolve("metering").toAbsolutePath() + ";WRITE_DELAY=0";
		}
		String name = "crash_" + System.nanoTime();
		new JdbcTemplate(postgres.getPostgresDatabase()).execute("CREATE DATABASE " + name);
		return postgres.getJdbcUrl("postgres", name);
	}

	/** Identifiers and values that recordUsage acknowledged before the kill. */
	private static Map<String, Long> acknowledged(Path log) throws IOException {
		Map<String, Long> acknowledged = new HashMap<>();
		if (!Files.exists(log)) {
			return acknowledged;
		}
		for (String line : Files.readAllLines(log)) {
			String[] parts = line.split(" ");
			if (parts.length == 4 && parts[0].equals("ack")) {
				acknowledged.put(parts[3], Long.parseLong(parts[2]));
			}
		}
		return acknowledged;
	}

	/**
	 * The events the application recorded, as the outbox holds them (merged ones
	 * excluded).
	 */
	private static Map<String, Long> storedEvents(String jdbcUrl) {
		Map<String, Long> stored = new HashMap<>();
		jdbc(jdbcUrl).query("SELECT identifier, usage_value FROM metering_usage_event e WHERE NOT EXISTS "
				+ "(SELECT 1 FROM metering_usage_event c WHERE c.coalesced_into = e.identifier)", (rs) -> {
					stored.put(rs.getString(1), rs.getLong(2));
				});
		return stored;
	}

	private static List<String> coveredByCoalescing(String jdbcUrl) {
		return jdbc(jdbcUrl)
			.queryForList("SELECT identifier FROM metering_usage_event WHERE coalesced_into IS NOT NULL", String.class);
	}

	private static JdbcTemplate jdbc(String jdbcUrl) {
		DataSource dataSource = new DriverManagerDataSource(jdbcUrl, "postgres", "");
		return new JdbcTemplate(dataSource);
	}

	/** Values the stub accepted, once per identifier, as Stripe counts them. */
	private static Map<String, Long> deliveredOncePerIdentifier() {
		Map<String, Long> delivered = new HashMap<>();
		WireMockJournal.completed(stripe)
			.stream()
			.filter((event) -> event.getResponse().getStatus() == 200)
			.forEach((event) -> delivered.putIfAbsent(event.getRequest().formParameter("identifier").firstValue(),
					Long.parseLong(event.getRequest().formParameter("payload[value]").firstValue())));
		return delivered;
	}

	private static long sum(Map<String, Long> values) {
		return values.values().stream().mapToLong(Long::longValue).sum();
	}

	private static String javaExecutable() {
		return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
	}

}
