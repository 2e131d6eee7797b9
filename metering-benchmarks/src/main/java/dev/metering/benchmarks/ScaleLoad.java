package dev.metering.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * How metering's cost grows with instances and organizations: 1, 2 and 4 instances
 * ({@link ScaleInstance}, each a JVM of its own) on one embedded PostgreSQL, billing one
 * Stripe stub that answers after {@code -DstripeLatencyMillis} and refuses customer
 * searches beyond {@code -DsearchesPerSecond} a second across all of them, as Stripe
 * does. Organizations are found by Stripe's customer search, as in production, over a
 * long tail ({@link OrganizationMix}) of {@code -Dorganizations} (comma-separated sizes);
 * each instance makes {@code -Drate} metered calls a second for
 * {@code -DdurationSeconds}, each paired with an unmetered call as the baseline.
 * {@code -Dinstances} chooses the instance counts; {@code -Dmetering.…} and
 * {@code -Dspring.…} properties are passed on to the instances.
 * <p>
 * Reported per configuration: calls a second per instance, the CPU they took, the p99
 * metering adds to a call, the heap after a full GC per 1,000 organizations an instance
 * served, the ledger's and the outbox's statements a second at the database, Stripe
 * requests by kind a minute, the delivery lag's p99 at the stub, and the sums at the stub
 * against the tokens of the calls the instances made.
 */
public final class ScaleLoad {

	private ScaleLoad() {
	}

	public static void main(String[] args) throws Exception {
		Settings settings = Settings.fromSystemProperties();
		System.out.printf(
				"%nScale: %d metered calls/s per instance for %d s (each paired with an unmetered one), "
						+ "%d busy organizations taking 1 call in %d, Stripe stub answering after %d ms, "
						+ "customer search limited to %d/s%n",
				settings.rate, settings.duration.toSeconds(), settings.busy, settings.busyEvery,
				settings.stripeLatency.toMillis(), settings.searchesPerSecond);
		Path work = Files.createTempDirectory("metering-scale");
		System.out.println("instance logs and call records: " + work);
		List<Configuration> results = new ArrayList<>();
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
			.setServerConfig("shared_preload_libraries", "pg_stat_statements")
			.setServerConfig("max_connections", "200")
			.start()) {
			for (int organizations : settings.organizations) {
				for (int instances : settings.instances) {
					results.add(new ScaleRun(settings, postgres, organizations, instances, work).run());
				}
			}
		}
		ScaleReport.print(results, settings.busy);
	}

	/**
	 * What the harness runs, from system properties.
	 */
	record Settings(int[] organizations, int[] instances, Duration duration, int rate, int threads, int busy,
			int busyEvery, Duration stripeLatency, int searchesPerSecond, Duration drain, String instanceHeap,
			List<String> passedOn) {

		static Settings fromSystemProperties() {
			List<String> passedOn = new ArrayList<>();
			System.getProperties().stringPropertyNames().stream().sorted().forEach((name) -> {
				if (name.startsWith("metering.") || name.startsWith("spring.")) {
					passedOn.add("-D" + name + "=" + System.getProperty(name));
				}
			});
			return new Settings(ints(System.getProperty("organizations", "1000,10000")),
					ints(System.getProperty("instances", "1,2,4")),
					Duration.ofSeconds(Long.getLong("durationSeconds", 30)), Integer.getInteger("rate", 100),
					Integer.getInteger("threads", 32), Integer.getInteger("busy", 10),
					Integer.getInteger("busyEvery", 5), Duration.ofMillis(Long.getLong("stripeLatencyMillis", 50)),
					Integer.getInteger("searchesPerSecond", 20), Duration.ofSeconds(Long.getLong("drainSeconds", 15)),
					System.getProperty("instanceHeap", "512m"), passedOn);
		}

		private static int[] ints(String list) {
			return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
		}

	}

	/**
	 * One configuration: its own database and stub, its instances started (the first
	 * alone, which creates the tables), the load, then delivery awaited.
	 */
	private static final class ScaleRun {

		private final Settings settings;

		private final EmbeddedPostgres postgres;

		private final int organizations;

		private final int instances;

		private final String database;

		private final Path records;

		ScaleRun(Settings settings, EmbeddedPostgres postgres, int organizations, int instances, Path work)
				throws IOException {
			this.settings = settings;
			this.postgres = postgres;
			this.organizations = organizations;
			this.instances = instances;
			this.database = "scale_" + organizations + "_" + instances;
			this.records = Files.createDirectories(work.resolve(this.database));
		}

		Configuration run() throws Exception {
			createDatabase();
			PostgresStatements statements = new PostgresStatements(this.postgres.getPostgresDatabase(), this.database);
			try (StripeStubServer stripe = StripeStubServer.startWithLatency(this.settings.stripeLatency,
					this.settings.searchesPerSecond)) {
				List<InstanceProcess> started = new ArrayList<>();
				try {
					for (int i = 0; i < this.instances; i++) {
						started.add(InstanceProcess.start(options(i, stripe.baseUrl()),
								this.records.resolve("instance-" + i + ".log")));
						if (i == 0) {
							awaitReady(started.get(0));
						}
					}
					for (InstanceProcess instance : started.subList(1, started.size())) {
						awaitReady(instance);
					}
					return measure(stripe, statements, started);
				}
				finally {
					for (InstanceProcess instance : started) {
						instance.close();
					}
				}
			}
		}

		private Configuration measure(StripeStubServer stripe, PostgresStatements statements,
				List<InstanceProcess> started) throws Exception {
			Map<String, Long> requestsBefore = stripe.requestsByKind();
			statements.reset();
			long start = System.currentTimeMillis() + 2000;
			long durationMillis = this.settings.duration.toMillis();
			started.forEach((instance) -> instance.send("go " + start + " " + durationMillis));
			Thread.sleep(start + durationMillis - System.currentTimeMillis());
			Map<String, Long> requests = minus(stripe.requestsByKind(), requestsBefore);
			Map<String, Long> sql = statements.read();
			long loadEnded = System.currentTimeMillis();
			List<InstanceResult> results = new ArrayList<>();
			for (InstanceProcess instance : started) {
				results.add(InstanceResult.parse(instance.await(this.settings.duration.plusMinutes(2))));
			}
			CallRecords.Calls calls = CallRecords.read(callFiles());
			long[] expected = new long[this.organizations];
			for (int organization : calls.billedOrganizations()) {
				expected[organization] += InstantChatModel.TOKENS_PER_CALL;
			}
			Sums sums = Sums.compare(expected, stripe.sums());
			long drainDeadline = loadEnded + this.settings.drain.toMillis();
			while (!sums.exact() && System.currentTimeMillis() < drainDeadline) {
				Thread.sleep(250);
				sums = Sums.compare(expected, stripe.sums());
			}
			double drainedSeconds = sums.exact() ? (System.currentTimeMillis() - loadEnded) / 1000.0 : Double.NaN;
			DeliveryLag.Result lag = DeliveryLag.measure(calls, stripe);
			started.forEach((instance) -> instance.send("stop"));
			return new Configuration(this.organizations, this.instances, this.settings.duration, results, calls,
					requests, sql, lag, sums, drainedSeconds, this.settings.drain);
		}

		private void createDatabase() throws SQLException {
			try (Connection connection = this.postgres.getPostgresDatabase().getConnection();
					Statement statement = connection.createStatement()) {
				statement.execute("CREATE DATABASE " + this.database);
			}
		}

		private List<String> options(int instance, String stripeBase) {
			List<String> options = new ArrayList<>();
			options.add("-Xmx" + this.settings.instanceHeap);
			options.add("-Dscale.instance=" + instance);
			options.add("-Dscale.instances=" + this.instances);
			options.add("-Dscale.rate=" + this.settings.rate);
			options.add("-Dscale.threads=" + this.settings.threads);
			options.add("-Dscale.organizations=" + this.organizations);
			options.add("-Dscale.busy=" + this.settings.busy);
			options.add("-Dscale.busyEvery=" + this.settings.busyEvery);
			options.add("-Dscale.records=" + this.records);
			options.add("-Dscale.jdbc-url=" + this.postgres.getJdbcUrl("postgres", this.database));
			options.add("-Dscale.stripe-base=" + stripeBase);
			options.addAll(this.settings.passedOn);
			return options;
		}

		private void awaitReady(InstanceProcess instance) throws InterruptedException {
			String line = instance.await(Duration.ofMinutes(3));
			if (!line.equals("ready")) {
				throw new IllegalStateException("Expected ready, read " + line);
			}
		}

		private List<Path> callFiles() throws IOException {
			try (Stream<Path> files = Files.list(this.records)) {
				return files.filter((file) -> file.toString().endsWith(".calls")).toList();
			}
		}

		private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
			Map<String, Long> difference = new HashMap<>();
			after.forEach((kind, count) -> difference.put(kind, count - before.getOrDefault(kind, 0L)));
			return difference;
		}

	}

	/**
	 * What one instance measured of its share of the load.
	 *
	 * @param calls metered calls made
	 * @param failures metered calls that threw
	 * @param nanos from the load's start to its last call's end
	 * @param cpuNanos CPU time the instance's JVM took meanwhile
	 * @param heapBefore heap after a full GC before the load
	 * @param heapAfter heap after a full GC after it
	 * @param active organizations the instance made calls for
	 */
	record InstanceResult(long calls, long failures, long nanos, long cpuNanos, long heapBefore, long heapAfter,
			long active) {

		static InstanceResult parse(String line) {
			if (!line.startsWith("result ")) {
				throw new IllegalStateException("Expected a result, read " + line);
			}
			Map<String, Long> values = new HashMap<>();
			for (String pair : line.substring("result ".length()).split(" ")) {
				int equals = pair.indexOf('=');
				values.put(pair.substring(0, equals), Long.parseLong(pair.substring(equals + 1)));
			}
			return new InstanceResult(value(values, "calls"), value(values, "failures"), value(values, "nanos"),
					value(values, "cpuNanos"), value(values, "heapBefore"), value(values, "heapAfter"),
					value(values, "active"));
		}

		private static long value(Map<String, Long> values, String name) {
			Long value = values.get(name);
			if (value == null) {
				throw new IllegalStateException("The instance's result has no " + name);
			}
			return value;
		}

		double callsPerSecond() {
			return this.calls / (this.nanos / 1e9);
		}

	}

	/**
	 * The sums at the stub against the tokens of the calls.
	 *
	 * @param customers customers with calls
	 * @param exactCustomers those whose sum at the stub is exactly their calls' tokens
	 * @param expected tokens of every call billed
	 * @param received tokens the stub received, for every customer
	 */
	record Sums(long customers, long exactCustomers, long expected, long received) {

		static Sums compare(long[] expected, Map<String, Long> received) {
			long customers = 0;
			long exact = 0;
			long expectedTotal = 0;
			for (int organization = 0; organization < expected.length; organization++) {
				if (expected[organization] > 0) {
					customers++;
					expectedTotal += expected[organization];
					exact += (received.getOrDefault("cus_" + organization, 0L) == expected[organization]) ? 1 : 0;
				}
			}
			long receivedTotal = received.values().stream().mapToLong(Long::longValue).sum();
			return new Sums(customers, exact, expectedTotal, receivedTotal);
		}

		boolean exact() {
			return this.exactCustomers == this.customers && this.received == this.expected;
		}

	}

	/** The measurements of one configuration. */
	record Configuration(int organizations, int instances, Duration duration, List<InstanceResult> results,
			CallRecords.Calls calls, Map<String, Long> requests, Map<String, Long> statements, DeliveryLag.Result lag,
			Sums sums, double drainedSeconds, Duration drain) {
	}

}
