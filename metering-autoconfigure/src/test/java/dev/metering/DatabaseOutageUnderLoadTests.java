package dev.metering;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mock.web.MockHttpServletResponse;

import dev.metering.admin.MeteringAdmin;
import dev.metering.support.ChatEndpoint;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.PostgresServer;
import dev.metering.support.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Calls of ten organizations from four clients while the network to the metering database
 * (PostgreSQL behind a proxy) is cut for ten seconds (three with on-store-failure
 * reject): no call fails with a database error; a call is answered or refused with 503
 * and {@code Retry-After} (when the outbox's room in memory is full, or when it needs
 * quota the ledger cannot lease and on-store-failure is reject); and every answered
 * call's tokens are counted by the usage ledger and delivered to the meter, exactly, once
 * the database is back.
 */
class DatabaseOutageUnderLoadTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	private static final int ORGANIZATIONS = 10;

	private static final int CLIENTS = 4;

	/** The tokens of a call: 20 of prompt and 10 of completion. */
	private static final long CALL = 30;

	private final String database = "outage_load_" + System.nanoTime();

	private final TcpProxy network;

	DatabaseOutageUnderLoadTests() throws IOException {
		new JdbcTemplate(postgres.getPostgresDatabase()).execute("CREATE DATABASE " + this.database);
		this.network = new TcpProxy("localhost", postgres.getPort());
	}

	@AfterEach
	void closeNetwork() throws IOException {
		this.network.close();
	}

	@ParameterizedTest(name = "on-store-failure={0}, cut for {1} s")
	@CsvSource({ "allow, 10", "reject, 3" })
	void everyAnsweredCallIsCountedAndBilledOnceTheDatabaseIsBackAndNoneFailsWithADatabaseError(String onStoreFailure,
			long cutSeconds) throws Exception {
		application(onStoreFailure).run((context) -> {
			Map<String, AtomicLong> answered = new ConcurrentHashMap<>();
			Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
			List<String> retryAfters = new CopyOnWriteArrayList<>();
			ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
			// a second of calls, the cut, and two seconds more
			long end = System.nanoTime() + Duration.ofSeconds(1 + cutSeconds + 2).toNanos();
			List<Future<?>> running = new ArrayList<>();
			for (int c = 0; c < CLIENTS; c++) {
				int client = c;
				running.add(clients.submit(() -> {
					int i = client;
					while (System.nanoTime() < end) {
						String organization = "org_" + (i++ % ORGANIZATIONS);
						MockHttpServletResponse response = ChatEndpoint.chat(context, organization).getResponse();
						statuses.computeIfAbsent(response.getStatus(), (status) -> new AtomicLong()).incrementAndGet();
						if (response.getStatus() == 200) {
							answered.computeIfAbsent(organization, (org) -> new AtomicLong()).incrementAndGet();
						}
						else if (response.getStatus() == 503) {
							retryAfters.add(response.getHeader("Retry-After"));
							LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
						}
					}
					return null;
				}));
			}
			LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
			this.network.cut();
			LockSupport.parkNanos(Duration.ofSeconds(cutSeconds).toNanos());
			this.network.restore();
			for (Future<?> client : running) {
				client.get();
			}
			clients.shutdown();

			assertThat(statuses.keySet()).as("answers: %s", statuses).isSubsetOf(200, 503);
			assertThat(statuses.get(503)).as("some calls refused while the database was away").isNotNull();
			assertThat(retryAfters).isNotEmpty().allMatch((seconds) -> Long.parseLong(seconds) > 0);

			BillingClient billing = context.getBean(BillingClient.class);
			// deliveries that met the outage retry within max-backoff
			assertThat(billing.flush(Duration.ofSeconds(30))).as("everything delivered once the database is back")
				.isTrue();
			for (int o = 0; o < ORGANIZATIONS; o++) {
				String organization = "org_" + o;
				long calls = answered.getOrDefault(organization, new AtomicLong()).get();
				assertThat(billed(billing, o)).as("billed to %s", organization).isEqualTo(calls * CALL);
			}
			assertThat(context.getBean(MeteringAdmin.class).deadLetters()).isEmpty();
			// the ledger has every answered call's tokens once its flushes caught up
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(ledgerUsed())
					.isEqualTo(answered.values().stream().mapToLong(AtomicLong::get).sum() * CALL));
		});
	}

	private long billed(BillingClient billing, int organization) {
		return billing.getUsage("ai-tokens", "cus_" + organization)
			.stream()
			.mapToLong(MeterUsageSummary::aggregatedValue)
			.sum();
	}

	private long ledgerUsed() {
		return new JdbcTemplate(
				new DriverManagerDataSource(postgres.getJdbcUrl("postgres", this.database), "postgres", ""))
			.queryForObject("SELECT COALESCE(SUM(used), 0) FROM metering_usage_ledger", Long.class);
	}

	private WebApplicationContextRunner application(String onStoreFailure) {
		List<String> properties = new ArrayList<>(List.of(
				"spring.datasource.url=jdbc:postgresql://localhost:" + this.network.port() + "/" + this.database,
				"spring.datasource.username=postgres", "spring.datasource.hikari.connection-timeout=500",
				"spring.datasource.hikari.maximum-pool-size=8", "metering.jdbc.initialize-schema=always",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.limit-key=aiTokens",
				"metering.plans.free.limits.aiTokens=1000000000", "metering.delivery.flush-interval=50ms",
				"metering.delivery.max-backoff=1s", "metering.outbox.queue-capacity=200",
				"metering.limits.on-store-failure=" + onStoreFailure));
		for (int o = 0; o < ORGANIZATIONS; o++) {
			properties.add("metering.accounts.org_" + o + ".customer-id=cus_" + o);
		}
		return new WebApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withUserConfiguration(MockMvcConfiguration.class, ChatEndpoint.class)
			.withBean(FixedUsageChatModel.class, () -> new FixedUsageChatModel(20, 10))
			.withPropertyValues(properties.toArray(String[]::new));
	}

}
