package dev.metering.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.caffeine.CaffeineCache;
import org.springframework.cache.support.NullValue;

import dev.metering.MeterUsageSummary;

/**
 * The caches of provider look-ups, shared by every provider: customers by reference ID,
 * active subscriptions by customer, and usage summaries. The application's cache of that name
 * is used when its {@link CacheManager} has one, with its own expiry; otherwise a bounded
 * Caffeine cache that serves an entry while it is refreshed in the background, and keeps it
 * when the refresh fails. Its entries do not expire: a look-up with an answer cached never
 * waits for the provider, and the size bound keeps memory in check.
 * <p>
 * A provider's webhooks may evict what it has told of a customer, so that a change at the
 * provider (a plan changed, a subscription started) applies at once rather than after the
 * refresh interval. Evictions reach the cache of this instance; an application cache shared by
 * every instance (such as Redis) carries them to all.
 */
public final class ProviderCaches {

	/** Customer IDs by organization or user ID. */
	public static final String CUSTOMERS = "metering.customers";

	/** Active subscriptions by customer ID. */
	public static final String SUBSCRIPTIONS = "metering.subscriptions";

	/** Usage summaries by meter, customer and time range. */
	public static final String USAGE = "metering.usage";

	private static final Log logger = LogFactory.getLog(ProviderCaches.class);

	private final CacheManager applicationCaches;

	private final Settings settings;

	private final Executor refresher;

	private final Ticker ticker;

	private final ProviderAccess access;

	/** The look-ups handed out, by cache name, for evictions. */
	private final Map<String, List<CachedLookup<?, ?>>> lookups = new ConcurrentHashMap<>();

	/**
	 * @param applicationCaches the application's cache manager, or {@code null}
	 * @param settings the refresh intervals and size of the built-in caches
	 * @param refresher runs the background refreshes, which wait for the provider
	 * @param ticker the time source of the built-in caches
	 * @param access learns from every look-up whether the provider refuses metering's
	 * credentials
	 */
	public ProviderCaches(CacheManager applicationCaches, Settings settings, Executor refresher, Ticker ticker,
			ProviderAccess access) {
		this.applicationCaches = applicationCaches;
		this.settings = settings;
		this.refresher = refresher;
		this.ticker = ticker;
		this.access = access;
	}

	/**
	 * Customer IDs by organization or user ID, in cache {@value #CUSTOMERS}.
	 * @param loader asks the provider; answers {@code null} when it has no such customer
	 */
	public CachedLookup<String, String> customers(Function<String, String> loader) {
		return lookup(CUSTOMERS, this.settings.customersRefresh(), loader);
	}

	/**
	 * Active subscriptions by customer ID, in cache {@value #SUBSCRIPTIONS}.
	 * @param loader asks the provider; answers {@code null} when the customer has none
	 */
	public CachedLookup<String, Subscription> subscriptions(Function<String, Subscription> loader) {
		return lookup(SUBSCRIPTIONS, this.settings.subscriptionsRefresh(), loader);
	}

	/**
	 * Usage summaries, in cache {@value #USAGE}.
	 * @param <K> what identifies a query: meter, customer and time range
	 * @param loader asks the provider
	 */
	public <K> CachedLookup<K, List<MeterUsageSummary>> usage(Function<K, List<MeterUsageSummary>> loader) {
		return lookup(USAGE, this.settings.usageRefresh(), loader);
	}

	/**
	 * Forgets the customer's subscription, and so its plan and period, in cache
	 * {@value #SUBSCRIPTIONS}: the next look-up asks the provider.
	 * @param customerId the key it is cached under: the customer ID the account names
	 */
	public void evictSubscription(String customerId) {
		evict(SUBSCRIPTIONS, customerId);
	}

	/**
	 * Forgets the customer of an organization or user ID in cache {@value #CUSTOMERS}, such as
	 * "no customer" cached before the customer was created: the next look-up asks the provider.
	 */
	public void evictCustomer(String referenceId) {
		evict(CUSTOMERS, referenceId);
	}

	private void evict(String name, Object key) {
		this.lookups.getOrDefault(name, List.of()).forEach((lookup) -> lookup.evict(key));
	}

	private <K, V> CachedLookup<K, V> lookup(String name, Duration refresh, Function<K, V> providerLookup) {
		Function<K, V> loader = this.access.observing(providerLookup);
		Cache cache = (this.applicationCaches != null) ? this.applicationCaches.getCache(name) : null;
		CachedLookup<K, V> lookup = new CachedLookup<>((cache != null) ? cache : builtIn(name, refresh, loader),
				loader, Caffeine.newBuilder()
					.ticker(this.ticker)
					.expireAfterWrite(this.settings.failureBackoff())
					.maximumSize(this.settings.maximumSize())
					.build());
		this.lookups.computeIfAbsent(name, (n) -> new CopyOnWriteArrayList<>()).add(lookup);
		return lookup;
	}

	private <K, V> Cache builtIn(String name, Duration refresh, Function<K, V> loader) {
		return new CaffeineCache(name, Caffeine.newBuilder()
			.ticker(this.ticker)
			.maximumSize(this.settings.maximumSize())
			.refreshAfterWrite(refresh)
			.build(new Refreshing<>(name, loader, this.refresher)), true);
	}

	/**
	 * Settings of the built-in caches.
	 *
	 * @param customersRefresh how long a customer is served before it is refreshed
	 * @param subscriptionsRefresh how long a subscription is served before it is refreshed
	 * @param usageRefresh how long usage summaries are served before they are refreshed
	 * @param maximumSize most entries each cache holds
	 * @param failureBackoff how long a look-up that failed with nothing cached is answered
	 * with its failure before the provider is asked again
	 */
	public record Settings(Duration customersRefresh, Duration subscriptionsRefresh, Duration usageRefresh,
			long maximumSize, Duration failureBackoff) {
	}

	/**
	 * Loads an entry the way {@link CaffeineCache} stores it ("none" as {@link NullValue}), and
	 * refreshes it on the refresher. A refresh that fails keeps the old value, as if it had
	 * answered it, so that the next attempt waits a whole refresh interval instead of every
	 * read asking a provider that is down.
	 */
	private static final class Refreshing<K, V> implements CacheLoader<Object, Object> {

		private final String name;

		private final Function<K, V> loader;

		private final Executor refresher;

		Refreshing(String name, Function<K, V> loader, Executor refresher) {
			this.name = name;
			this.loader = loader;
			this.refresher = refresher;
		}

		@Override
		@SuppressWarnings("unchecked")
		public Object load(Object key) {
			V value = this.loader.apply((K) key);
			return (value != null) ? value : NullValue.INSTANCE;
		}

		@Override
		public CompletableFuture<Object> asyncReload(Object key, Object oldValue, Executor executor) {
			return CompletableFuture.supplyAsync(() -> {
				try {
					return load(key);
				}
				catch (RuntimeException ex) {
					// the message only: a provider exception's causes may quote the request
					logger.warn("Could not refresh " + key + " in cache " + this.name + ", keeping the last answer: "
							+ ex.getMessage());
					return oldValue;
				}
			}, this.refresher);
		}

	}

}
