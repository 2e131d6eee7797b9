package dev.metering.webhook;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.metering.provider.CachedLookup;
import dev.metering.provider.ProviderAccess;
import dev.metering.provider.ProviderCaches;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Cache changes shared through an H2 database, and what happens when the database cannot
 * take them.
 */
@ExtendWith(OutputCaptureExtension.class)
class H2CacheChangesTests extends JdbcCacheChangesContract {

	private static final DataSource dataSource = new DriverManagerDataSource(
			"jdbc:h2:mem:cache-changes-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");

	@Override
	DataSource dataSource() {
		return dataSource;
	}

	@Test
	void aChangeTheDatabaseCannotTakeIsMadeHereAndFailsThePublishAndPollsWarnOnce(CapturedOutput output)
			throws InterruptedException {
		ProviderCaches caches = new ProviderCaches(null,
				new ProviderCaches.Settings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1),
						Duration.ofHours(1), 100, Duration.ofSeconds(10)),
				Runnable::run, Ticker.systemTicker(), new ProviderAccess("test", "test.api-key", Clock.systemUTC()));
		CachedLookup<String, String> customers = caches.customers((referenceId) -> null);
		DataSource withoutTables = new DriverManagerDataSource("jdbc:h2:mem:no-tables-" + System.nanoTime());
		JdbcCacheChanges changes = new JdbcCacheChanges(StoreJdbc.client(withoutTables),
				StoreJdbc.batches(withoutTables), caches, Duration.ofMillis(20), Clock.systemUTC());

		assertThatExceptionOfType(DataAccessException.class)
			.isThrownBy(() -> changes.publish(List.of(new CacheChange(ProviderCaches.CUSTOMERS, "org_a", "cus_a"))));
		assertThat(customers.find("org_a")).contains("cus_a");

		changes.start();
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> output.getOut().contains("metering_cache_change"));
			// ten more polls, failing, and still warned once
			await().during(Duration.ofMillis(200))
				.atMost(Duration.ofSeconds(1))
				.untilAsserted(
						() -> assertThat(output.getOut().split("Could not read the other instances' cache changes"))
							.as("warned once")
							.hasSize(2));
		}
		finally {
			changes.stop();
		}
	}

}
