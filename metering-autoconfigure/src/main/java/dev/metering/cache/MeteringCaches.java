package dev.metering.cache;

import java.time.Clock;
import java.time.Duration;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * Finds the caches metering uses: the application's cache of that name when its
 * {@link CacheManager} has one, else an in-memory cache with the given time to live.
 */
public final class MeteringCaches {

	private final CacheManager cacheManager;

	private final Clock clock;

	/**
	 * @param cacheManager the application's cache manager, or {@code null}
	 */
	public MeteringCaches(CacheManager cacheManager, Clock clock) {
		this.cacheManager = cacheManager;
		this.clock = clock;
	}

	public Cache cache(String name, Duration defaultTimeToLive) {
		Cache cache = (this.cacheManager != null) ? this.cacheManager.getCache(name) : null;
		return (cache != null) ? cache : new ExpiringCache(name, defaultTimeToLive, this.clock);
	}

}
