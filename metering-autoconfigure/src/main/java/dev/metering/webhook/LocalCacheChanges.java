package dev.metering.webhook;

import java.util.List;

import dev.metering.provider.ProviderCaches;

/**
 * Cache changes made in this instance's caches only: without a database that the
 * instances share, the others learn of a change when their own entries are refreshed, or
 * at once when the caches are the application's and shared (such as Redis).
 */
final class LocalCacheChanges implements CacheChanges {

	private final ProviderCaches caches;

	LocalCacheChanges(ProviderCaches caches) {
		this.caches = caches;
	}

	@Override
	public void publish(List<CacheChange> changes) {
		changes.forEach((change) -> change.applyTo(this.caches));
	}

}
