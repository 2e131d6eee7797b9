package dev.metering.webhook;

import java.time.Clock;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.metering.provider.ProviderCaches;

/**
 * Where the cache changes that a provider's webhooks ask for are made, for its
 * {@link WebhookIntake}: in this instance's caches only, or in those of every instance
 * that shares the application's database, which then reads the others' changes while it
 * runs.
 *
 * @since 0.1.0
 */
public final class CacheChangeSharing implements SmartLifecycle {

	private final CacheChanges changes;

	/** Reads the other instances' changes; {@code null} when there are none to read. */
	private final @Nullable SmartLifecycle polling;

	private CacheChangeSharing(CacheChanges changes, @Nullable SmartLifecycle polling) {
		this.changes = changes;
		this.polling = polling;
	}

	/**
	 * Changes made in this instance's caches only, for an application whose instances
	 * share no database.
	 */
	public static CacheChangeSharing local(ProviderCaches caches) {
		return new CacheChangeSharing(new LocalCacheChanges(caches), null);
	}

	/**
	 * Changes shared by every instance through the table {@code metering_cache_change}
	 * (H2 or PostgreSQL).
	 * @param batches runs the batch of changes published together
	 * @param caches the caches the changes are made in
	 * @param pollInterval how often the other instances' changes are read
	 * @param clock tells when a change was written
	 */
	public static CacheChangeSharing inDatabase(JdbcClient jdbc, NamedParameterJdbcOperations batches,
			ProviderCaches caches, Duration pollInterval, Clock clock) {
		JdbcCacheChanges changes = new JdbcCacheChanges(jdbc, batches, caches, pollInterval, clock);
		return new CacheChangeSharing(changes, changes);
	}

	CacheChanges changes() {
		return this.changes;
	}

	@Override
	public void start() {
		if (this.polling != null) {
			this.polling.start();
		}
	}

	@Override
	public void stop() {
		if (this.polling != null) {
			this.polling.stop();
		}
	}

	@Override
	public boolean isRunning() {
		return this.polling != null && this.polling.isRunning();
	}

}
