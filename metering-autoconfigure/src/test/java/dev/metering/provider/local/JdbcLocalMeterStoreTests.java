package dev.metering.provider.local;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.lock.InstanceLocks;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;
import dev.metering.support.MutableClock;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local meter's tables shared by several instances: one of them forgets the
 * identifiers counted longer ago than the retention, once an hour.
 */
class JdbcLocalMeterStoreTests {

	private static final Duration RETENTION = Duration.ofDays(7);

	private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

	@Test
	void ofTheInstancesSharingTheTablesOnePurgesThemAnHour() {
		DataSource dataSource = new DriverManagerDataSource(
				"jdbc:h2:mem:local-meter-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		new MeteringDataSourceScriptDatabaseInitializer(dataSource, DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		MutableClock clock = new MutableClock(NOW);
		JdbcLocalMeterStore first = new JdbcLocalMeterStore(StoreJdbc.client(dataSource),
				StoreJdbc.transactions(dataSource), clock, RETENTION,
				InstanceLocks.inDatabase(StoreJdbc.client(dataSource), "instance-1", clock));
		JdbcLocalMeterStore second = new JdbcLocalMeterStore(StoreJdbc.client(dataSource),
				StoreJdbc.transactions(dataSource), clock, RETENTION,
				InstanceLocks.inDatabase(StoreJdbc.client(dataSource), "instance-2", clock));
		assertThat(first.add(event("usage_1"))).as("purges, and holds the purge for an hour")
			.isInstanceOf(DeliveryOutcome.Delivered.class);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.update("INSERT INTO metering_local_identifier (identifier, counted_at) VALUES ('usage_old', ?)",
				NOW.minus(RETENTION).minusSeconds(1).toEpochMilli());

		clock.set(NOW.plus(Duration.ofMinutes(30)));
		assertThat(second.add(event("usage_2"))).isInstanceOf(DeliveryOutcome.Delivered.class);
		assertThat(counted(jdbc, "usage_old")).as("not purged by the second instance within the hour").isTrue();

		clock.set(NOW.plus(Duration.ofHours(1)));
		assertThat(first.add(event("usage_3"))).isInstanceOf(DeliveryOutcome.Delivered.class);
		assertThat(counted(jdbc, "usage_old")).as("purged by the first instance's next turn").isFalse();
	}

	private static UsageEvent event(String identifier) {
		return new UsageEvent(identifier, "ai_tokens", "cus_1", 5, NOW);
	}

	private static boolean counted(JdbcTemplate jdbc, String identifier) {
		return jdbc.queryForObject("SELECT COUNT(*) FROM metering_local_identifier WHERE identifier = ?", Integer.class,
				identifier) == 1;
	}

}
