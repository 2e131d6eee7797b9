package dev.metering.webhook;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.ProviderCaches;
import dev.metering.provider.ProviderEvent;

/**
 * One change a provider's webhook asks of the caches of provider look-ups: an entry to
 * fill with the value the provider told, or to forget.
 *
 * @param cache the cache's name, e.g. {@value ProviderCaches#CUSTOMERS}
 * @param key the entry's key
 * @param value the value to cache, or {@code null} to forget the entry
 */
record CacheChange(String cache, String key, @Nullable String value) {

	public CacheChange {
		if (cache == null || key == null) {
			throw new IllegalArgumentException("A cache change needs a cache and a key");
		}
	}

	/**
	 * The changes an event asks for: evictions first, so that a customer the event names
	 * is cached even when it also names its organization as stale.
	 */
	static List<CacheChange> of(ProviderEvent.AccountsChanged changed) {
		List<CacheChange> changes = new ArrayList<>();
		changed.customerIds()
			.forEach((customerId) -> changes.add(new CacheChange(ProviderCaches.SUBSCRIPTIONS, customerId, null)));
		changed.referenceIds()
			.forEach((referenceId) -> changes.add(new CacheChange(ProviderCaches.CUSTOMERS, referenceId, null)));
		changed.customers()
			.forEach((referenceId, customerId) -> changes
				.add(new CacheChange(ProviderCaches.CUSTOMERS, referenceId, customerId)));
		return changes;
	}

	/**
	 * Makes the change in this instance's caches. Customers are filled or forgotten,
	 * subscriptions only forgotten; a change of a cache this version does not know
	 * (written by a newer one) is left alone.
	 */
	void applyTo(ProviderCaches caches) {
		if (ProviderCaches.CUSTOMERS.equals(this.cache) && this.value != null) {
			caches.putCustomer(this.key, this.value);
		}
		else if (ProviderCaches.CUSTOMERS.equals(this.cache)) {
			caches.evictCustomer(this.key);
		}
		else if (ProviderCaches.SUBSCRIPTIONS.equals(this.cache)) {
			caches.evictSubscription(this.key);
		}
	}

}
