package dev.metering.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.provider.CachedLookup;
import dev.metering.provider.ProviderAccess;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.Subscription;
import dev.metering.support.MutableClock;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What cache changes shared through a database must do, run against a real database by
 * each subclass: two instances, each with its own caches, on one table.
 */
abstract class JdbcCacheChangesContract {

	private static final Duration LONG = Duration.ofHours(1);

	private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

	abstract DataSource dataSource();

	private final MutableClock clock = new MutableClock(NOW);

	private final Instance first = new Instance();

	private final Instance second = new Instance();

	@BeforeEach
	void createSchema() {
		new MeteringDataSourceScriptDatabaseInitializer(dataSource(), DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		new JdbcTemplate(dataSource()).update("DELETE FROM metering_cache_change");
	}

	@Test
	void aCustomerToldToOneInstanceIsCachedThereAtOnceAndByTheOtherAtItsNextPollOnce() {
		assertThat(this.first.customer("org_a")).isNull();
		assertThat(this.second.customer("org_a")).isNull();

		this.first.changes.publish(List.of(new CacheChange(ProviderCaches.CUSTOMERS, "org_a", "cus_a")));

		assertThat(this.first.customer("org_a")).isEqualTo("cus_a");
		assertThat(this.second.customer("org_a")).as("before its poll").isNull();
		this.second.changes.poll();
		assertThat(this.second.customer("org_a")).isEqualTo("cus_a");
		assertThat(this.second.searched).as("told, not asked").hasValue(1);

		this.second.caches.evictCustomer("org_a");
		this.second.changes.poll();
		this.first.changes.poll();
		assertThat(this.second.customer("org_a")).as("made once").isNull();
		this.first.caches.evictCustomer("org_a");
		assertThat(this.first.customer("org_a")).as("its own change not made again").isNull();
	}

	@Test
	void changesAreMadeInTheOrderTheyWereWritten() {
		this.second.customer("org_a");
		this.second.subscription("cus_a");

		this.first.changes.publish(List.of(new CacheChange(ProviderCaches.SUBSCRIPTIONS, "cus_a", null),
				new CacheChange(ProviderCaches.CUSTOMERS, "org_a", "cus_a")));
		this.first.changes.publish(List.of(new CacheChange(ProviderCaches.CUSTOMERS, "org_a", null)));
		this.second.changes.poll();

		assertThat(this.second.customer("org_a")).as("filled, then forgotten: asked again").isNull();
		assertThat(this.second.searched).hasValue(2);
		this.second.subscription("cus_a");
		assertThat(this.second.subscriptionsRead).hasValue(2);
	}

	@Test
	void aChangeCommittedAfterALaterOnesIsStillMadeWithinTheLookBack() {
		this.second.changes.poll();
		insert("another-instance", "org_late", "cus_late", NOW.minusSeconds(JdbcCacheChanges.LOOK_BACK_SECONDS - 1));
		insert("another-instance", "org_gone", "cus_gone", NOW.minusSeconds(JdbcCacheChanges.LOOK_BACK_SECONDS + 1));

		this.second.changes.poll();

		assertThat(this.second.customer("org_late")).isEqualTo("cus_late");
		assertThat(this.second.customer("org_gone")).as("older than the look-back").isNull();
	}

	@Test
	void changesOlderThanAnHourAreDeletedByAPollAtMostEveryTenMinutes() {
		insert("another-instance", "org_old", "cus_old", NOW.minus(Duration.ofMinutes(61)));
		insert("another-instance", "org_recent", "cus_recent", NOW.minus(Duration.ofMinutes(59)));

		this.second.changes.poll();
		assertThat(rows()).isEqualTo(1);

		this.clock.set(NOW.plus(Duration.ofMinutes(5)));
		this.second.changes.poll();
		assertThat(rows()).as("the next purge is not due").isEqualTo(1);
		this.clock.set(NOW.plus(Duration.ofMinutes(10)));
		this.second.changes.poll();
		assertThat(rows()).isZero();
	}

	@Test
	void aStartedInstancePollsEveryIntervalUntilItStops() {
		JdbcCacheChanges polling = new JdbcCacheChanges(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				this.second.caches, Duration.ofMillis(50), Clock.systemUTC());
		JdbcCacheChanges publishing = new JdbcCacheChanges(StoreJdbc.client(dataSource()),
				StoreJdbc.batches(dataSource()), this.first.caches, Duration.ofMillis(50), Clock.systemUTC());
		polling.start();
		try {
			publishing.publish(List.of(new CacheChange(ProviderCaches.CUSTOMERS, "org_a", "cus_a")));
			await().atMost(Duration.ofSeconds(5)).until(() -> "cus_a".equals(this.second.customer("org_a")));
		}
		finally {
			polling.stop();
		}
		assertThat(polling.isRunning()).isFalse();
	}

	private void insert(String origin, String key, String value, Instant changedAt) {
		new JdbcTemplate(dataSource()).update(
				"INSERT INTO metering_cache_change (origin, cache_name, cache_key, "
						+ "cache_value, changed_at) VALUES (?, ?, ?, ?, ?)",
				origin, ProviderCaches.CUSTOMERS, key, value, changedAt.toEpochMilli());
	}

	private int rows() {
		return new JdbcTemplate(dataSource()).queryForObject("SELECT COUNT(*) FROM metering_cache_change",
				Integer.class);
	}

	/**
	 * An instance: its caches, whose provider has no customers and no subscriptions, and
	 * its changes.
	 */
	private final class Instance {

		final AtomicInteger searched = new AtomicInteger();

		final AtomicInteger subscriptionsRead = new AtomicInteger();

		final ProviderCaches caches = new ProviderCaches(null,
				new ProviderCaches.Settings(LONG, LONG, LONG, LONG, 100, Duration.ofSeconds(10)), Runnable::run,
				Ticker.systemTicker(), new ProviderAccess("test", "test.api-key", Clock.systemUTC()));

		final CachedLookup<String, String> customers = this.caches.customers((referenceId) -> {
			this.searched.incrementAndGet();
			return null;
		});

		final CachedLookup<String, Subscription> subscriptions = this.caches.subscriptions((customerId) -> {
			this.subscriptionsRead.incrementAndGet();
			return null;
		});

		final JdbcCacheChanges changes = new JdbcCacheChanges(StoreJdbc.client(dataSource()),
				StoreJdbc.batches(dataSource()), this.caches, Duration.ofSeconds(1),
				JdbcCacheChangesContract.this.clock);

		String customer(String referenceId) {
			return this.customers.find(referenceId).orElse(null);
		}

		void subscription(String customerId) {
			this.subscriptions.find(customerId);
		}

	}

}
