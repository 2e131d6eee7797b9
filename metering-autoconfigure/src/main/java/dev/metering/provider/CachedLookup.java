package dev.metering.provider;

import java.util.Optional;
import java.util.function.Function;

import org.springframework.cache.Cache;

/**
 * A provider look-up read through a named {@link Cache}: only a key with nothing cached
 * waits for the provider, and "none" answers are cached like any other. A look-up that
 * failed is remembered for a short while, so that during an outage calls for that key
 * fail at once instead of each waiting for the provider's timeout.
 *
 * @param <K> the key, e.g. a customer ID
 * @param <V> what the provider answers for it
 * <p>
 * Used by the provider implementations (Stripe, Polar, Metronome and an application's
 * own) for each look-up they cache.
 * @since 0.1.0
 * @see ProviderCaches
 */
public final class CachedLookup<K, V> {

	private final Cache cache;

	private final Function<K, V> loader;

	private final com.github.benmanes.caffeine.cache.Cache<K, RuntimeException> recentFailures;

	CachedLookup(Cache cache, Function<K, V> loader,
			com.github.benmanes.caffeine.cache.Cache<K, RuntimeException> recentFailures) {
		this.cache = cache;
		this.loader = loader;
		this.recentFailures = recentFailures;
	}

	/**
	 * What the provider answered for the key, from the cache when it holds an answer.
	 * @param key what to look up
	 * @return the answer, or empty when the provider has none
	 * @throws RuntimeException what the look-up threw when nothing was cached for the key
	 */
	public Optional<V> find(K key) {
		RuntimeException recent = this.recentFailures.getIfPresent(key);
		if (recent != null) {
			throw recent;
		}
		try {
			return Optional.ofNullable(this.cache.get(key, () -> this.loader.apply(key)));
		}
		catch (Cache.ValueRetrievalException ex) {
			// the cache wraps the look-up's own exception, which says what was asked and
			// why it failed
			if (ex.getCause() instanceof RuntimeException failure) {
				this.recentFailures.put(key, failure);
				throw failure;
			}
			throw ex;
		}
	}

	/**
	 * Forgets what is cached for the key, answer or recent failure, so that the next
	 * look-up asks the provider.
	 */
	@SuppressWarnings("unchecked")
	void evict(Object key) {
		this.cache.evict(key);
		this.recentFailures.invalidate((K) key);
	}

	/**
	 * Caches an answer the provider gave otherwise than to a look-up, and forgets a
	 * recent failure of the key.
	 */
	@SuppressWarnings("unchecked")
	void put(Object key, Object value) {
		this.cache.put(key, value);
		this.recentFailures.invalidate((K) key);
	}

	Cache cache() {
		return this.cache;
	}

}
