package dev.metering.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionException;

import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.provider.UsageEvent;
import dev.metering.support.PostgresServer;
import dev.metering.support.StoreJdbc;
import dev.metering.support.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The outbox while its PostgreSQL is cut off behind a proxy: the usage of calls that ran
 * is kept in memory, never dropped, the outbox says when it has no room left for more,
 * and everything is stored once the database is back.
 */
class OutboxDatabaseOutageTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	private TcpProxy proxy;

	private DataSource dataSource;

	@BeforeEach
	void connectThroughAProxy() throws Exception {
		new MeteringDataSourceScriptDatabaseInitializer(postgres.getPostgresDatabase(),
				DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		new JdbcTemplate(postgres.getPostgresDatabase()).update("DELETE FROM metering_usage_event");
		this.proxy = new TcpProxy("localhost", postgres.getPort());
		PGSimpleDataSource proxied = new PGSimpleDataSource();
		proxied.setUrl("jdbc:postgresql://localhost:" + this.proxy.port() + "/postgres?connectTimeout=2");
		proxied.setUser("postgres");
		this.dataSource = proxied;
	}

	@AfterEach
	void closeTheProxy() throws Exception {
		this.proxy.close();
	}

	@Test
	void theGroupCommitWriterKeepsEveryEventWhileTheDatabaseIsAwayAndRunsOutOfRoomAtItsCapacity() {
		GroupCommitOutbox outbox = new GroupCommitOutbox(
				new JdbcUsageOutbox(StoreJdbc.client(this.dataSource), StoreJdbc.batches(this.dataSource),
						StoreJdbc.transactions(this.dataSource), Clock.systemUTC()),
				20, Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofSeconds(5));
		outbox.start();
		try {
			this.proxy.cut();
			List<String> appended = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				UsageEvent event = event("usage_away_" + i);
				// never throws: each event is of a call that already ran
				outbox.append(event);
				appended.add(event.identifier());
			}

			assertThat(outbox.queuedCount()).isEqualTo(50);
			// once the writer has met the outage: a full queue while the database is away
			await().atMost(Duration.ofSeconds(10)).until(() -> !outbox.hasRoom());

			this.proxy.restore();
			await().atMost(Duration.ofSeconds(20)).until(() -> outbox.queuedCount() == 0);

			assertThat(outbox.hasRoom()).isTrue();
			assertThat(outbox.unstorableCount()).isZero();
			assertThat(storedIdentifiers()).containsExactlyInAnyOrderElementsOf(appended);
		}
		finally {
			outbox.stop();
		}
	}

	@Test
	void aSynchronousOutboxHasNoRoomFromTheFailedWriteUntilTheDatabaseAnswersAgain() {
		JdbcUsageOutbox outbox = new JdbcUsageOutbox(StoreJdbc.client(this.dataSource),
				StoreJdbc.batches(this.dataSource), StoreJdbc.transactions(this.dataSource), Clock.systemUTC());
		outbox.append(event("usage_before"));
		assertThat(outbox.hasRoom()).isTrue();

		this.proxy.cut();
		assertThatExceptionOfType(TransactionException.class).isThrownBy(() -> outbox.append(event("usage_lost")));
		assertThat(outbox.hasRoom()).isFalse();

		this.proxy.restore();
		// asked again at most once a second
		await().atMost(Duration.ofSeconds(10)).until(outbox::hasRoom);
		outbox.append(event("usage_after"));
		assertThat(storedIdentifiers()).containsExactlyInAnyOrder("usage_before", "usage_after");
	}

	private List<String> storedIdentifiers() {
		return new JdbcTemplate(postgres.getPostgresDatabase())
			.queryForList("SELECT identifier FROM metering_usage_event", String.class);
	}

	private static UsageEvent event(String identifier) {
		return new UsageEvent(identifier, "ai_tokens", "cus_1", 1, Instant.now());
	}

}
