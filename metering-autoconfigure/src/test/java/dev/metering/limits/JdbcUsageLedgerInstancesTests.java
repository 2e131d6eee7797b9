package dev.metering.limits;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.FixedUsageChatModel;
import dev.metering.UsageLimitExceededException;
import dev.metering.support.PostgresServer;
import dev.metering.support.TcpProxy;

import static dev.metering.limits.LimitedChat.ask;
import static dev.metering.limits.LimitedChat.chatClient;
import static dev.metering.limits.LimitedChat.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances on one PostgreSQL database: the quota one of them holds comes back to the
 * other once it stops renewing its lease, while the other, renewing its own, keeps what
 * it holds.
 */
@ExtendWith(OutputCaptureExtension.class)
class JdbcUsageLedgerInstancesTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	private static final String ORGANIZATION = "org_shared";

	private static final long LIMIT = 5_000;

	/** The tokens of a call: 10 of prompt and 7 of completion. */
	private static final long CALL = 17;

	private final String database = "instances_" + System.nanoTime();

	private final JdbcTemplate jdbc = new JdbcTemplate(
			new DriverManagerDataSource(postgres.getJdbcUrl("postgres", this.database), "postgres", ""));

	JdbcUsageLedgerInstancesTests() {
		new JdbcTemplate(postgres.getPostgresDatabase()).execute("CREATE DATABASE " + this.database);
	}

	@Test
	void theQuotaOfAnInstanceCutOffFromTheDatabaseComesBackToTheOtherAfterTheLeaseAndALiveOneKeepsItsOwn(
			CapturedOutput output) throws IOException {
		long[] calls = new long[2];
		try (TcpProxy network = new TcpProxy("localhost", postgres.getPort())) {
			instance("jdbc:postgresql://localhost:" + network.port() + "/" + this.database).run((lost) -> {
				instance(postgres.getJdbcUrl("postgres", this.database)).run((other) -> {
					ChatClient lostChat = chat(lost);
					for (; calls[0] < 10; calls[0]++) {
						ask(lostChat, ORGANIZATION, 20);
					}
					await().atMost(Duration.ofSeconds(5)).until(() -> storedUsage() == 10 * CALL);
					// it renews its lease no more, and writes nothing back: as if its
					// node were lost
					network.cut();

					// the other goes on calling, from a slice of its own, for longer than
					// a lease
					ChatClient otherChat = chat(other);
					await().during(Duration.ofSeconds(3))
						.atMost(Duration.ofSeconds(10))
						.pollInterval(Duration.ofMillis(50))
						.until(() -> {
							ask(otherChat, ORGANIZATION, 20);
							calls[1]++;
							return true;
						});
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(
								() -> assertThat(used(other, ORGANIZATION)).as("all usage, the lost one's recovered")
									.isBetween((calls[0] + calls[1]) * CALL, (calls[0] + calls[1] + 1) * CALL));
					while (admitted(otherChat)) {
						calls[1]++;
					}
					assertThat(used(other, ORGANIZATION)).as("the whole limit used")
						.isGreaterThanOrEqualTo(LIMIT)
						.isLessThan(LIMIT + 2 * CALL);
					// back, it takes the reclaim in before it writes anything
					network.restore();
				});
			});
		}
		assertThat(output.toString().split("Reclaimed what instance", -1)).as("the lost instance reclaimed, alone")
			.hasSize(2);
		long usage = (calls[0] + calls[1]) * CALL;
		assertThat(this.jdbc.queryForMap("SELECT used, leased FROM metering_usage_ledger WHERE reference_id = ?",
				ORGANIZATION))
			.as("every call counted once, and nothing left leased")
			.satisfies((row) -> assertThat((Long) row.get("used")).isBetween(usage, usage + CALL))
			.satisfies((row) -> assertThat(row.get("leased")).isEqualTo(0L));
	}

	/**
	 * An instance with a lease of 2 seconds, whose pool gives up on a database away at
	 * once.
	 */
	private static ApplicationContextRunner instance(String jdbcUrl) {
		return LimitedChat.runner(LIMIT)
			.withPropertyValues("spring.datasource.url=" + jdbcUrl, "spring.datasource.username=postgres",
					"spring.datasource.hikari.connection-timeout=250", "metering.limits.lease=2s",
					"metering.accounts." + ORGANIZATION + ".customer-id=cus_shared");
	}

	private static ChatClient chat(org.springframework.context.ApplicationContext context) {
		return chatClient(context, new FixedUsageChatModel(10, 7));
	}

	private static boolean admitted(ChatClient chat) {
		try {
			ask(chat, ORGANIZATION, 20);
			return true;
		}
		catch (UsageLimitExceededException ex) {
			return false;
		}
	}

	/**
	 * The organization's usage as the outbox stored it: each event recorded once, merged
	 * ones left out.
	 */
	private long storedUsage() {
		return this.jdbc.queryForObject("SELECT COALESCE(SUM(usage_value), 0) FROM metering_usage_event e "
				+ "WHERE subject_id = ? AND NOT EXISTS (SELECT 1 FROM metering_usage_event c "
				+ "WHERE c.coalesced_into = e.identifier)", Long.class, ORGANIZATION);
	}

}
