package dev.metering.provider;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.caffeine.CaffeineCache;
import org.springframework.cache.support.NullValue;

/**
 * A built-in cache of provider look-ups: bounded, serving an entry while a background
 * refresh asks the provider again, and keeping it when the refresh fails. An answer is
 * refreshed after its refresh interval, "none" after its own, shorter one: a customer
 * missing a minute ago may have checked out since, and the provider's search may have
 * lagged behind its checkout.
 * <p>
 * Caffeine refreshes every entry after one interval, so the cache refreshes after the
 * shorter of the two, and each entry carries when it was loaded: an entry whose own
 * interval has not passed yet is kept as it is, without asking the provider. It records
 * its statistics, which Micrometer's Caffeine cache metrics read.
 */
final class RefreshingCache extends CaffeineCache {

	private static final Log logger = LogFactory.getLog(RefreshingCache.class);

	private final Ticker ticker;

	/**
	 * @param name the cache's name, for logs
	 * @param intervals how long an answer, and "none", is served before it is refreshed
	 * @param maximumSize most entries the cache holds
	 * @param loader asks the provider; answers {@code null} for "none"
	 * @param refresher runs the refreshes
	 * @param ticker the time source
	 */
	<K, V> RefreshingCache(String name, Intervals intervals, long maximumSize, Function<K, V> loader,
			Executor refresher, Ticker ticker) {
		super(name, build(name, intervals, maximumSize, loader, refresher, ticker), true);
		this.ticker = ticker;
	}

	private static <K, V> LoadingCache<Object, Object> build(String name, Intervals intervals, long maximumSize,
			Function<K, V> loader, Executor refresher, Ticker ticker) {
		return Caffeine.newBuilder()
			.ticker(ticker)
			.maximumSize(maximumSize)
			.refreshAfterWrite(intervals.shorter())
			.recordStats()
			.build(new Refreshing<>(name, intervals, loader, refresher, ticker));
	}

	@Override
	protected Object toStoreValue(@Nullable Object userValue) {
		return new Loaded(super.toStoreValue(userValue), this.ticker.read());
	}

	@Override
	protected @Nullable Object fromStoreValue(@Nullable Object storeValue) {
		return super.fromStoreValue((storeValue instanceof Loaded loaded) ? loaded.value() : storeValue);
	}

	/**
	 * How long entries are served before they are refreshed.
	 *
	 * @param answer an answer of the provider
	 * @param none "none": no customer, no subscription; never longer than an answer
	 */
	record Intervals(Duration answer, Duration none) {

		Duration shorter() {
			return (this.none.compareTo(this.answer) < 0) ? this.none : this.answer;
		}

		Duration of(Object storeValue) {
			return (storeValue == NullValue.INSTANCE) ? shorter() : this.answer;
		}

	}

	/**
	 * An entry as stored: the value ("none" as {@link NullValue}), and when it was
	 * loaded.
	 */
	private record Loaded(Object value, long loadedAt) {

		boolean due(long now, Intervals intervals) {
			return now - this.loadedAt >= intervals.of(this.value).toNanos();
		}

	}

	/**
	 * Loads entries, and refreshes those whose interval has passed on the refresher. A
	 * refresh that fails keeps the old value, as if it had answered it, so that the next
	 * attempt waits a whole interval instead of every read asking a provider that is
	 * down.
	 */
	private static final class Refreshing<K, V> implements CacheLoader<Object, Object> {

		private final String name;

		private final Intervals intervals;

		private final Function<K, V> loader;

		private final Executor refresher;

		private final Ticker ticker;

		Refreshing(String name, Intervals intervals, Function<K, V> loader, Executor refresher, Ticker ticker) {
			this.name = name;
			this.intervals = intervals;
			this.loader = loader;
			this.refresher = refresher;
			this.ticker = ticker;
		}

		@Override
		@SuppressWarnings("unchecked")
		public Object load(Object key) {
			V value = this.loader.apply((K) key);
			return new Loaded((value != null) ? value : NullValue.INSTANCE, this.ticker.read());
		}

		@Override
		public CompletableFuture<Object> asyncReload(Object key, Object oldValue, Executor executor) {
			Loaded old = (Loaded) oldValue;
			if (!old.due(this.ticker.read(), this.intervals)) {
				return CompletableFuture.completedFuture(old);
			}
			return CompletableFuture.supplyAsync(() -> {
				try {
					return load(key);
				}
				catch (RuntimeException ex) {
					// the message only: a provider exception's causes may quote the
					// request
					logger.warn("Could not refresh " + key + " in cache " + this.name + ", keeping the last answer: "
							+ ex.getMessage());
					return new Loaded(old.value(), this.ticker.read());
				}
			}, this.refresher);
		}

	}

}
