package dev.metering.limits;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.BillingClient;
import dev.metering.UsageLimitExceededException;
import dev.metering.support.PostgresServer;

import static dev.metering.limits.LimitedCallsProcess.CALL;
import static dev.metering.limits.LimitedCallsProcess.LIMIT;
import static dev.metering.limits.LimitedCallsProcess.ORGANIZATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance killed with SIGKILL while it holds a slice of an organization's quota on
 * PostgreSQL, and a new instance on the same database: once the killed one's lease has
 * lapsed, the new one counts all the usage the killed one's calls settled, against the
 * limit and against the prepaid balance alike, and can use the limit up to its end.
 */
class JdbcUsageLedgerCrashTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@TempDir
	Path work;

	@ParameterizedTest(name = "outbox sync={0}")
	@ValueSource(booleans = { false, true })
	void anInstanceKilledWhileItHoldsASliceLeavesNoUsageUncountedAndNoQuotaHeld(boolean sync) throws Exception {
		String jdbcUrl = database();
		Path log = this.work.resolve("calls.log");
		Process killed = start(jdbcUrl, sync, log);
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> calls(log) >= 150);
		}
		finally {
			killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(jdbcUrl, "postgres", ""));
		long acknowledged = calls(log) * CALL;
		long stored = storedUsage(jdbc);
		assertThat(leased(jdbc)).as("the killed instance's slice is leased").isPositive();

		LimitedCallsProcess.application(jdbcUrl).run((context) -> {
			// once the killed instance's lease lapsed: all its outbox stored, and at most
			// what it
			// settled that the outbox had not stored yet (its last group commit; with
			// sync, the
			// call under way) and a call caught between the ledger and the outbox at its
			// last
			// write-back
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(LimitedChat.used(context, ORGANIZATION))
					.as(() -> "used; stored " + stored + ", acknowledged " + acknowledged)
					.isBetween(stored, acknowledged + 2 * CALL));
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> assertThat(balanceUsed(context)).as("drawn from the balance, recovered as the limit")
							.isBetween(stored, acknowledged + 2 * CALL));

			ChatClient chat = LimitedCallsProcess.chat(context);
			while (callAdmitted(chat)) {
				// the whole limit is there to use again
			}
			assertThat(LimitedChat.used(context, ORGANIZATION)).as("used once refused")
				.isGreaterThanOrEqualTo(LIMIT)
				.isLessThan(LIMIT + CALL);
			assertThat(balanceUsed(context)).as("drawn from the balance once refused")
				.isBetween(LIMIT - 2 * CALL, LIMIT + CALL);
		});
		assertThat(leased(jdbc)).as("leased once the new instance stopped").isZero();
	}

	private static long balanceUsed(ApplicationContext context) {
		return context.getBean(BillingClient.class).getBalance(ORGANIZATION, "ai-tokens").used();
	}

	private static boolean callAdmitted(ChatClient chat) {
		try {
			LimitedCallsProcess.call(chat);
			return true;
		}
		catch (UsageLimitExceededException ex) {
			return false;
		}
	}

	private Process start(String jdbcUrl, boolean sync, Path log) throws IOException {
		List<String> command = List.of(
				System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-Xmx256m", "-cp",
				System.getProperty("java.class.path"), LimitedCallsProcess.class.getName(), jdbcUrl,
				Boolean.toString(sync), log.toString());
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.work.resolve("killed.out").toFile())
			.start();
	}

	private static String database() {
		String name = "killed_" + System.nanoTime();
		new JdbcTemplate(postgres.getPostgresDatabase()).execute("CREATE DATABASE " + name);
		return postgres.getJdbcUrl("postgres", name);
	}

	private static long calls(Path log) throws IOException {
		return Files.exists(log) ? Files.readAllLines(log).size() : 0;
	}

	/**
	 * The organization's usage as the outbox stored it: each event recorded once, merged
	 * ones left out.
	 */
	private static long storedUsage(JdbcTemplate jdbc) {
		return jdbc.queryForObject(
				"SELECT COALESCE(SUM(usage_value), 0) FROM metering_usage_event e WHERE subject_id = ? "
						+ "AND NOT EXISTS (SELECT 1 FROM metering_usage_event c WHERE c.coalesced_into = e.identifier)",
				Long.class, ORGANIZATION);
	}

	/** What the organization's limit and balance keys hold leased. */
	private static long leased(JdbcTemplate jdbc) {
		return jdbc.queryForObject("SELECT SUM(leased) FROM metering_usage_ledger WHERE reference_id = ?", Long.class,
				ORGANIZATION);
	}

}
