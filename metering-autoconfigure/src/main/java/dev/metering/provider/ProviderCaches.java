package dev.metering.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.caffeine.CaffeineCache;

import dev.metering.MeterUsageSummary;

/**
 * The caches of provider look-ups, shared by every provider: customers by reference ID,
 * active subscriptions by customer, usage summaries, and prepaid balances by customer.
 * The application's cache of that name is used when its {@link CacheManager} has one,
 * with its own expiry; otherwise a bounded Caffeine cache that serves an entry while it
 * is refreshed in the background, and keeps it when the refresh fails. Its entries do not
 * expire: a look-up with an answer cached never waits for the provider, and the size
 * bound keeps memory in check. "No customer" and "no subscription" are refreshed sooner
 * than answers, so that a customer who checks out is found within that shorter interval
 * of the provider knowing it. The built-in caches record their statistics, for
 * {@link #builtInCaches() their metrics}.
 * <p>
 * A provider's webhooks may evict what it has told of a customer, or tell who an
 * organization's customer is, so that a change at the provider (a plan changed, a
 * customer created) applies at once rather than after the refresh interval. These changes
 * reach the caches of this instance; the webhook package carries them to the other
 * instances.
 * <p>
 * Shared by the provider implementations (Stripe, Polar, Metronome and an application's
 * own), which read their look-ups through it, and by the webhook handling that changes
 * them.
 *
 * @since 0.1.0
 */
public final class ProviderCaches {

	/** Customer IDs by organization or user ID. */
	public static final String CUSTOMERS = "metering.customers";

	/** Active subscriptions by customer ID. */
	public static final String SUBSCRIPTIONS = "metering.subscriptions";

	/** Usage summaries by meter, customer and time range. */
	public static final String USAGE = "metering.usage";

	/** Prepaid balances by customer ID. */
	public static final String BALANCES = "metering.balances";

	private final @Nullable CacheManager applicationCaches;

	private final Settings settings;

	private final Executor refresher;

	private final Ticker ticker;

	private final ProviderAccess access;

	/** The look-ups handed out, by cache name, for evictions. */
	private final Map<String, List<CachedLookup<?, ?>>> lookups = new ConcurrentHashMap<>();

	private final List<CaffeineCache> builtInCaches = new CopyOnWriteArrayList<>();

	/**
	 * @param applicationCaches the application's cache manager, or {@code null}
	 * @param settings the refresh intervals and size of the built-in caches
	 * @param refresher runs the background refreshes, which wait for the provider
	 * @param ticker the time source of the built-in caches
	 * @param access learns from every look-up whether the provider refuses metering's
	 * credentials
	 */
	public ProviderCaches(@Nullable CacheManager applicationCaches, Settings settings, Executor refresher,
			Ticker ticker, ProviderAccess access) {
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
		return lookup(CUSTOMERS, this.settings.customersRefresh(), this.settings.missingRefresh(), loader);
	}

	/**
	 * Active subscriptions by customer ID, in cache {@value #SUBSCRIPTIONS}.
	 * @param loader asks the provider; answers {@code null} when the customer has none
	 */
	public CachedLookup<String, Subscription> subscriptions(Function<String, Subscription> loader) {
		return lookup(SUBSCRIPTIONS, this.settings.subscriptionsRefresh(), this.settings.missingRefresh(), loader);
	}

	/**
	 * Usage summaries, in cache {@value #USAGE}.
	 * @param <K> what identifies a query: meter, customer and time range
	 * @param loader asks the provider
	 */
	public <K> CachedLookup<K, List<MeterUsageSummary>> usage(Function<K, List<MeterUsageSummary>> loader) {
		// usage is never "none": an empty list is an answer
		return lookup(USAGE, this.settings.usageRefresh(), this.settings.usageRefresh(), loader);
	}

	/**
	 * A customer's prepaid balances, in cache {@value #BALANCES}, refreshed as often as
	 * usage: the provider burns them down as usage arrives.
	 * @param <V> what the provider answers of the customer's balances
	 * @param loader asks the provider
	 */
	public <V> CachedLookup<String, V> balances(Function<String, V> loader) {
		return lookup(BALANCES, this.settings.usageRefresh(), this.settings.usageRefresh(), loader);
	}

	/**
	 * Forgets the customer's subscription, and so its plan and period, in cache
	 * {@value #SUBSCRIPTIONS}, and its prepaid balances in cache {@value #BALANCES},
	 * which change with its contract: the next look-up asks the provider.
	 * @param customerId the key it is cached under: the customer ID the account names
	 */
	public void evictSubscription(String customerId) {
		evict(SUBSCRIPTIONS, customerId);
		evict(BALANCES, customerId);
	}

	/**
	 * Forgets the customer of an organization or user ID in cache {@value #CUSTOMERS},
	 * such as "no customer" cached before the customer was created: the next look-up asks
	 * the provider.
	 */
	public void evictCustomer(String referenceId) {
		evict(CUSTOMERS, referenceId);
	}

	/**
	 * Caches the customer of an organization or user ID in cache {@value #CUSTOMERS}, as
	 * the provider told it (in a webhook): the next look-up needs no question, which the
	 * provider's search may answer from before the customer existed. It is refreshed like
	 * an answer the provider gave to a look-up.
	 */
	public void putCustomer(String referenceId, String customerId) {
		this.lookups.getOrDefault(CUSTOMERS, List.of()).forEach((lookup) -> lookup.put(referenceId, customerId));
	}

	/**
	 * The caches built here rather than taken from the application's cache manager, whose
	 * metrics the application's meter registry does not bind: one per look-up handed out.
	 */
	public List<CaffeineCache> builtInCaches() {
		return List.copyOf(this.builtInCaches);
	}

	private void evict(String name, Object key) {
		this.lookups.getOrDefault(name, List.of()).forEach((lookup) -> lookup.evict(key));
	}

	private <K, V> CachedLookup<K, V> lookup(String name, Duration refresh, Duration missingRefresh,
			Function<K, V> providerLookup) {
		Function<K, V> loader = this.access.observing(providerLookup);
		Cache cache = (this.applicationCaches != null) ? this.applicationCaches.getCache(name) : null;
		if (cache == null) {
			RefreshingCache builtIn = new RefreshingCache(name, new RefreshingCache.Intervals(refresh, missingRefresh),
					this.settings.maximumSize(), loader, this.refresher, this.ticker);
			this.builtInCaches.add(builtIn);
			cache = builtIn;
		}
		CachedLookup<K, V> lookup = new CachedLookup<>(cache, loader,
				Caffeine.newBuilder()
					.ticker(this.ticker)
					.expireAfterWrite(this.settings.failureBackoff())
					.maximumSize(this.settings.maximumSize())
					.build());
		this.lookups.computeIfAbsent(name, (n) -> new CopyOnWriteArrayList<>()).add(lookup);
		return lookup;
	}

	/**
	 * Settings of the built-in caches.
	 *
	 * @param customersRefresh how long a customer is served before it is refreshed
	 * @param subscriptionsRefresh how long a subscription is served before it is
	 * refreshed
	 * @param missingRefresh how long "no customer" and "no subscription" are served
	 * before they are refreshed, at most their cache's refresh interval
	 * @param usageRefresh how long usage summaries are served before they are refreshed
	 * @param maximumSize most entries each cache holds
	 * @param failureBackoff how long a look-up that failed with nothing cached is
	 * answered with its failure before the provider is asked again
	 */
	public record Settings(Duration customersRefresh, Duration subscriptionsRefresh, Duration missingRefresh,
			Duration usageRefresh, long maximumSize, Duration failureBackoff) {
	}

}
