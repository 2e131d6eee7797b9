package dev.metering.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.cache.concurrent.ConcurrentMapCacheManager;

import dev.metering.provider.CachedLookup;
import dev.metering.provider.ProviderAccess;
import dev.metering.provider.ProviderCaches;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in caches of provider look-ups are bound with Micrometer's Caffeine cache
 * metrics under their names; the application's own caches are left to Spring Boot.
 */
class ProviderCacheMetricsTests {

	private final MeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void theBuiltInCachesAreMeasuredUnderTheirNames() {
		ProviderCaches caches = caches(null);
		CachedLookup<String, String> customers = caches.customers((referenceId) -> "cus_" + referenceId);
		caches.subscriptions((customerId) -> null);
		caches.usage((query) -> List.of());
		new ProviderCacheMetrics(caches).bindTo(this.registry);

		customers.find("org_a");
		customers.find("org_a");

		assertThat(gets("metering.customers", "miss")).isOne();
		assertThat(gets("metering.customers", "hit")).isOne();
		assertThat(this.registry.find("cache.size").tags("cache", "metering.subscriptions").gauge()).isNotNull();
		assertThat(this.registry.find("cache.size").tags("cache", "metering.usage").gauge()).isNotNull();
	}

	@Test
	void theApplicationsCachesAreNotBoundHere() {
		ProviderCaches caches = caches(new ConcurrentMapCacheManager());
		caches.customers((referenceId) -> "cus_" + referenceId);

		new ProviderCacheMetrics(caches).bindTo(this.registry);

		assertThat(this.registry.find("cache.gets").meters()).isEmpty();
	}

	private double gets(String cache, String result) {
		return this.registry.get("cache.gets").tags("cache", cache, "result", result).functionCounter().count();
	}

	private static ProviderCaches caches(ConcurrentMapCacheManager applicationCaches) {
		return new ProviderCaches(applicationCaches,
				new ProviderCaches.Settings(Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofSeconds(30),
						Duration.ofMinutes(1), 100, Duration.ofSeconds(10)),
				Runnable::run, Ticker.systemTicker(), new ProviderAccess("test", "test.api-key", Clock.systemUTC()));
	}

}
