package dev.metering.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.metering.provider.UsageEvent;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group commit writer on H2: what it acknowledged is stored, whatever else the group
 * holds and however shutdown races with appends.
 */
@ExtendWith(OutputCaptureExtension.class)
class GroupCommitOutboxTests {

	private static final DataSource DATA_SOURCE = h2();

	private final JdbcTemplate jdbc = new JdbcTemplate(DATA_SOURCE);

	private final JdbcUsageOutbox store = new JdbcUsageOutbox(StoreJdbc.client(DATA_SOURCE),
			StoreJdbc.batches(DATA_SOURCE), StoreJdbc.transactions(DATA_SOURCE), Clock.systemUTC());

	@BeforeEach
	void createSchema() {
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(DATA_SOURCE);
		this.jdbc.update("DELETE FROM metering_usage_event");
	}

	@Test
	void aRowTheDatabaseRefusesIsLoggedAndCountedWithoutHoldingBackTheOthersOfItsGroup(CapturedOutput output) {
		this.store.append(event("usage_taken", 1));
		GroupCommitOutbox outbox = new GroupCommitOutbox(this.store, 1000, Duration.ofSeconds(1), Duration.ofMillis(50),
				Duration.ofSeconds(1));
		outbox.start();
		for (int i = 0; i < 100; i++) {
			outbox.append(event("usage_good_" + i, 1));
			if (i == 50) {
				// the database refuses a second row under an identifier it holds
				outbox.append(event("usage_taken", 1000));
			}
		}

		outbox.stop();

		assertThat(this.jdbc.queryForObject(
				"SELECT COUNT(*) FROM metering_usage_event WHERE identifier LIKE " + "'usage_good_%'", Integer.class))
			.isEqualTo(100);
		assertThat(outbox.unstorableCount()).isOne();
		assertThat(outbox.queuedCount()).isZero();
		assertThat(output).contains("ERROR").contains("usage_taken").contains("value=1000");
	}

	@Test
	void appendRefusesAnEventTooLongForItsColumnsNamingTheFieldAndItsLimit() {
		UsageEvent tooLong = new UsageEvent("usage_long", "ai_tokens", "c".repeat(201), 1, Instant.now());
		GroupCommitOutbox outbox = new GroupCommitOutbox(this.store, 10, Duration.ofMillis(5), Duration.ofMillis(50),
				Duration.ofSeconds(1));

		assertThat(this.store.problemWith(tooLong))
			.hasValue("customerId is 201 characters; the outbox holds at most 200");
		assertThat(outbox.problemWith(tooLong)).isEqualTo(this.store.problemWith(tooLong));
		assertThat(
				this.store.problemWith(new UsageEvent("usage_ok", "e".repeat(200), "c".repeat(200), 1, Instant.now())))
			.isEmpty();
		assertThat(this.store.problemWith(new UsageEvent("usage_ok", "e".repeat(201), "cus_1", 1, Instant.now())))
			.hasValue("eventName is 201 characters; the outbox holds at most 200");
		assertThat(this.store.problemWith(new UsageEvent("u".repeat(101), "ai_tokens", "cus_1", 1, Instant.now())))
			.hasValue("identifier is 101 characters; the outbox holds at most 100");
		assertThat(new InMemoryUsageOutbox(Clock.systemUTC()).problemWith(tooLong)).isEmpty();
	}

	/** The race is narrow: many short rounds catch it where one long one would not. */
	@Test
	void appendsRacingWithShutdownAreStoredEveryOne() throws Exception {
		for (int round = 0; round < 50; round++) {
			this.jdbc.update("DELETE FROM metering_usage_event");
			GroupCommitOutbox outbox = new GroupCommitOutbox(this.store, 64, Duration.ofMillis(1), Duration.ofMillis(1),
					Duration.ofSeconds(5));
			outbox.start();
			Set<String> acknowledged = ConcurrentHashMap.newKeySet();
			AtomicBoolean appending = new AtomicBoolean(true);
			CountDownLatch started = new CountDownLatch(3);
			List<Thread> appenders = new ArrayList<>();
			for (int t = 0; t < 3; t++) {
				String prefix = "usage_" + round + "_" + t + "_";
				Thread appender = new Thread(() -> {
					started.countDown();
					for (int i = 0; appending.get(); i++) {
						outbox.append(event(prefix + i, 1));
						acknowledged.add(prefix + i);
					}
				});
				appender.start();
				appenders.add(appender);
			}
			started.await();

			outbox.stop();
			appending.set(false);
			for (Thread appender : appenders) {
				appender.join();
			}

			assertThat(outbox.queuedCount()).as("left in memory, round " + round).isZero();
			assertThat(
					new HashSet<>(this.jdbc.queryForList("SELECT identifier FROM metering_usage_event", String.class)))
				.as("round " + round)
				.containsAll(acknowledged);
		}
	}

	private static UsageEvent event(String identifier, long value) {
		return new UsageEvent(identifier, "ai_tokens", "cus_1", value, Instant.now());
	}

	private static DataSource h2() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:group-commit;DB_CLOSE_DELAY=-1");
		return dataSource;
	}

}
