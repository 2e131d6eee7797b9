package dev.metering.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.lock.InstanceLocks;
import dev.metering.support.MutableClock;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook events already handled are remembered for the retention, and forgotten
 * after it, in memory and in the database.
 */
class WebhookReceiptsTests {

	private static final Duration RETENTION = Duration.ofDays(7);

	private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

	@Test
	void inTheDatabaseAnEventIsClaimedOnceUntilItsRetentionHasPassedAndTheHourlyPurgeRan() {
		DataSource dataSource = new DriverManagerDataSource(
				"jdbc:h2:mem:webhook-receipts-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		new MeteringDataSourceScriptDatabaseInitializer(dataSource, DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		MutableClock clock = new MutableClock(NOW);
		JdbcWebhookReceipts receipts = new JdbcWebhookReceipts(StoreJdbc.client(dataSource), RETENTION, clock,
				InstanceLocks.inDatabase(StoreJdbc.client(dataSource), "instance-a", clock));

		assertThat(receipts.claim("stripe", "evt_old")).isTrue();
		clock.set(NOW.plus(RETENTION).minus(Duration.ofMinutes(30)));
		assertThat(receipts.claim("stripe", "evt_recent")).isTrue();
		clock.set(NOW.plus(RETENTION).plus(Duration.ofMinutes(10)));
		assertThat(receipts.claim("stripe", "evt_old")).as("past its retention, before the next hourly purge")
			.isFalse();

		clock.set(NOW.plus(RETENTION).plus(Duration.ofMinutes(31)));
		assertThat(receipts.claim("stripe", "evt_old")).as("forgotten by the purge").isTrue();
		assertThat(receipts.claim("stripe", "evt_recent")).as("still within its retention").isFalse();
		assertThat(new JdbcTemplate(dataSource).queryForObject("SELECT COUNT(*) FROM metering_webhook_event",
				Integer.class))
			.isEqualTo(2);
	}

	@Test
	void ofTheInstancesSharingTheTableOnePurgesItAnHour() {
		DataSource dataSource = new DriverManagerDataSource(
				"jdbc:h2:mem:webhook-receipts-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		new MeteringDataSourceScriptDatabaseInitializer(dataSource, DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		MutableClock clock = new MutableClock(NOW);
		JdbcWebhookReceipts first = new JdbcWebhookReceipts(StoreJdbc.client(dataSource), RETENTION, clock,
				InstanceLocks.inDatabase(StoreJdbc.client(dataSource), "instance-1", clock));
		JdbcWebhookReceipts second = new JdbcWebhookReceipts(StoreJdbc.client(dataSource), RETENTION, clock,
				InstanceLocks.inDatabase(StoreJdbc.client(dataSource), "instance-2", clock));
		assertThat(first.claim("stripe", "evt_1")).as("purges, and holds the purge for an hour").isTrue();
		new JdbcTemplate(dataSource).update("INSERT INTO metering_webhook_event (provider, event_id, received_at) "
				+ "VALUES ('stripe', 'evt_old', ?)", NOW.minus(RETENTION).minusSeconds(1).toEpochMilli());

		clock.set(NOW.plus(Duration.ofMinutes(30)));
		assertThat(second.claim("stripe", "evt_2")).isTrue();
		assertThat(second.claim("stripe", "evt_old")).as("not purged by the second instance within the hour").isFalse();

		clock.set(NOW.plus(Duration.ofHours(1)));
		assertThat(first.claim("stripe", "evt_3")).isTrue();
		assertThat(second.claim("stripe", "evt_old")).as("purged by the first instance's next turn").isTrue();
	}

	@Test
	void inMemoryAnEventIsClaimedOnceUntilItsRetentionHasPassedOrItWasReleased() {
		AtomicLong nanos = new AtomicLong();
		InMemoryWebhookReceipts receipts = new InMemoryWebhookReceipts(RETENTION, 100, nanos::get);

		assertThat(receipts.claim("polar", "msg_1")).isTrue();
		assertThat(receipts.claim("polar", "msg_1")).isFalse();
		assertThat(receipts.claim("stripe", "msg_1")).as("another provider's").isTrue();
		receipts.release("polar", "msg_1");
		assertThat(receipts.claim("polar", "msg_1")).as("released").isTrue();

		nanos.addAndGet(RETENTION.plusSeconds(1).toNanos());
		assertThat(receipts.claim("polar", "msg_1")).as("forgotten after the retention").isTrue();
	}

}
