package dev.metering.limits;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.FixedUsageChatModel;
import dev.metering.MeteringUnavailableException;
import dev.metering.support.PostgresServer;
import dev.metering.support.TcpProxy;

import static dev.metering.limits.LimitedChat.ask;
import static dev.metering.limits.LimitedChat.chatClient;
import static dev.metering.limits.LimitedChat.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Calls while the usage ledger's PostgreSQL cannot be reached (the network to it cut), by
 * {@code metering.limits.on-store-failure}: admitted and counted once it is back, or
 * refused with {@link MeteringUnavailableException} before the model; never a database
 * exception.
 */
class JdbcUsageLedgerOutageTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	private static final long LIMIT = 1_000;

	/** The tokens of a call: 10 of prompt and 7 of completion. */
	private static final long CALL = 17;

	private final String database = "outage_" + System.nanoTime();

	private final JdbcTemplate jdbc = new JdbcTemplate(
			new DriverManagerDataSource(postgres.getJdbcUrl("postgres", this.database), "postgres", ""));

	private final TcpProxy network;

	JdbcUsageLedgerOutageTests() throws IOException {
		new JdbcTemplate(postgres.getPostgresDatabase()).execute("CREATE DATABASE " + this.database);
		this.network = new TcpProxy("localhost", postgres.getPort());
	}

	@AfterEach
	void closeNetwork() throws IOException {
		this.network.close();
	}

	@Test
	void withAllowCallsThatNeedQuotaWhileTheDatabaseIsAwayAreAdmittedAndCountedOnceItIsBack() {
		application("allow").run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(10, 7);
			ChatClient chat = chatClient(context, model);
			// a slice of a sixteenth of the limit: a few calls
			ask(chat, "org_allow", 20);
			this.network.cut();
			try {
				for (int i = 0; i < 10; i++) {
					ask(chat, "org_allow", 20);
				}
				assertThat(used(context, "org_allow")).as("what this instance knows").isEqualTo(11 * CALL);
			}
			finally {
				this.network.restore();
			}
			assertThat(model.calls()).isEqualTo(11);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(usedInTable("org_allow")).isEqualTo(11 * CALL));
		});
		assertThat(this.jdbc.queryForMap("SELECT used, leased FROM metering_usage_ledger WHERE reference_id = ?",
				"org_allow"))
			.containsEntry("used", 11 * CALL)
			.containsEntry("leased", 0L);
	}

	@Test
	void withRejectACallThatNeedsQuotaWhileTheDatabaseIsAwayIsRefusedBeforeTheModel() {
		application("reject").run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(10, 7);
			ChatClient chat = chatClient(context, model);
			this.network.cut();
			try {
				assertThatExceptionOfType(MeteringUnavailableException.class)
					.isThrownBy(() -> ask(chat, "org_reject", 20))
					.satisfies((ex) -> {
						assertThat(ex.retryAfter()).isPositive();
						assertThat(ex).hasNoCause().isNotInstanceOf(DataAccessException.class);
						assertThat(ex.getMessage()).doesNotContain("localhost")
							.doesNotContain(Integer.toString(this.network.port()));
					});
				assertThat(model.calls()).isZero();
				// where it stands: nothing known here, so nothing to answer with
				assertThatExceptionOfType(MeteringUnavailableException.class)
					.isThrownBy(() -> used(context, "org_reject"));
			}
			finally {
				this.network.restore();
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThatNoException().isThrownBy(() -> ask(chat, "org_reject", 20)));
			assertThat(model.calls()).isOne();
		});
	}

	/**
	 * The application, its database behind the proxy, whose pool gives up on it at once.
	 */
	private ApplicationContextRunner application(String onStoreFailure) {
		return LimitedChat.runner(LIMIT)
			.withPropertyValues(
					"spring.datasource.url=jdbc:postgresql://localhost:" + this.network.port() + "/" + this.database,
					"spring.datasource.username=postgres", "spring.datasource.hikari.connection-timeout=250",
					"metering.limits.on-store-failure=" + onStoreFailure,
					"metering.accounts.org_allow.customer-id=cus_allow",
					"metering.accounts.org_reject.customer-id=cus_reject");
	}

	private long usedInTable(String organization) {
		return this.jdbc.queryForObject("SELECT used FROM metering_usage_ledger WHERE reference_id = ?", Long.class,
				organization);
	}

}
