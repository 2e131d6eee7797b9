package dev.metering.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import dev.metering.provider.ProviderCaches;

/**
 * The metrics of the caches of provider look-ups that metering built itself (the
 * application's own caches are bound by Spring Boot): Micrometer's Caffeine cache metrics
 * ({@code cache.gets}, {@code cache.puts}, {@code cache.evictions}, {@code cache.size},
 * {@code cache.load.duration}…) tagged with the cache's name, {@code metering.customers},
 * {@code metering.subscriptions} or {@code metering.usage}.
 */
final class ProviderCacheMetrics implements MeterBinder {

	private final ProviderCaches caches;

	ProviderCacheMetrics(ProviderCaches caches) {
		this.caches = caches;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.caches.builtInCaches()
			.forEach((cache) -> CaffeineCacheMetrics.monitor(registry, cache.getNativeCache(), cache.getName()));
	}

}
