package dev.metering.webhook;

import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.metering.provider.ProviderCaches;

/**
 * Cache changes shared by every instance on the database, through
 * {@code metering_cache_change}: the instance that received a webhook makes the changes
 * it asks for in its own caches and writes them; every instance reads the others' changes
 * every poll interval, with one indexed query, and makes them in its caches too. Rows are
 * deleted an hour after they were written, by any instance, at most every ten minutes
 * each.
 * <p>
 * Each poll reads the changes of the last {@value #LOOK_BACK_SECONDS} seconds, not only
 * those after the last one it read, and makes each once: a change whose insert committed
 * after a later one's is still read, and so are the changes of an instance whose clock is
 * behind by less than that.
 */
final class JdbcCacheChanges implements CacheChanges, SmartLifecycle {

	static final long LOOK_BACK_SECONDS = 30;

	private static final Duration LOOK_BACK = Duration.ofSeconds(LOOK_BACK_SECONDS);

	private static final Duration RETENTION = Duration.ofHours(1);

	private static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);

	private static final Log logger = LogFactory.getLog(JdbcCacheChanges.class);

	private static final String INSERT = """
			INSERT INTO metering_cache_change (origin, cache_name, cache_key, cache_value, changed_at)
			VALUES (:origin, :cache, :key, :value, :changedAt)
			""";

	private static final String SINCE = """
			SELECT id, origin, cache_name, cache_key, cache_value, changed_at FROM metering_cache_change
			WHERE changed_at >= :since ORDER BY id
			""";

	private static final String PURGE = """
			DELETE FROM metering_cache_change WHERE changed_at < :before
			""";

	private final JdbcClient jdbc;

	private final NamedParameterJdbcOperations batches;

	private final ProviderCaches caches;

	private final Duration pollInterval;

	private final Clock clock;

	/** Tells this instance's rows from the others'. */
	private final String origin = UUID.randomUUID().toString();

	/**
	 * The other instances' changes made here, by ID, with when they were written, until
	 * they fall out of the look-back. Read and written by the polling thread only.
	 */
	private final Map<Long, Long> made = new HashMap<>();

	/** When this instance next deletes old rows. Polling thread only. */
	private Instant nextPurge = Instant.MIN;

	/**
	 * Whether the last poll failed, so that an outage is logged once, not every second.
	 */
	private boolean failing;

	private @Nullable ScheduledExecutorService poller;

	/**
	 * @param caches the caches the changes are made in
	 * @param pollInterval how often the other instances' changes are read
	 * @param clock tells when a change was written
	 */
	/**
	 * @param batches runs the batch of changes published together
	 */
	JdbcCacheChanges(JdbcClient jdbc, NamedParameterJdbcOperations batches, ProviderCaches caches,
			Duration pollInterval, Clock clock) {
		this.jdbc = jdbc;
		this.batches = batches;
		this.caches = caches;
		this.pollInterval = pollInterval;
		this.clock = clock;
	}

	/**
	 * Makes the changes here first, so that this instance has them even when the database
	 * cannot take them (the webhook is then answered with an error and delivered again),
	 * then writes them for the others.
	 */
	@Override
	public void publish(List<CacheChange> changes) {
		changes.forEach((change) -> change.applyTo(this.caches));
		long now = this.clock.millis();
		this.batches.batchUpdate(INSERT,
				changes.stream()
					.map((change) -> new MapSqlParameterSource("origin", this.origin).addValue("cache", change.cache())
						.addValue("key", change.key())
						.addValue("value", change.value(), Types.VARCHAR)
						.addValue("changedAt", now))
					.toArray(MapSqlParameterSource[]::new));
	}

	/**
	 * Makes the changes other instances wrote since the look-back that this one has not
	 * made yet.
	 */
	void poll() {
		Instant now = this.clock.instant();
		long since = now.minus(LOOK_BACK).toEpochMilli();
		this.jdbc.sql(SINCE).param("since", since).query((row) -> {
			long id = row.getLong("id");
			if (!this.origin.equals(row.getString("origin"))
					&& this.made.putIfAbsent(id, row.getLong("changed_at")) == null) {
				new CacheChange(row.getString("cache_name"), row.getString("cache_key"), row.getString("cache_value"))
					.applyTo(this.caches);
			}
		});
		this.made.values().removeIf((changedAt) -> changedAt < since);
		if (!now.isBefore(this.nextPurge)) {
			this.nextPurge = now.plus(PURGE_INTERVAL);
			this.jdbc.sql(PURGE).param("before", now.minus(RETENTION).toEpochMilli()).update();
		}
	}

	private void pollLogged() {
		try {
			poll();
			if (this.failing) {
				this.failing = false;
				logger.info("Reading the other instances' cache changes from metering_cache_change again");
			}
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				this.failing = true;
				logger.warn("Could not read the other instances' cache changes from metering_cache_change, trying "
						+ "again every " + this.pollInterval.toMillis() + " ms: " + ex.getMessage());
			}
		}
	}

	@Override
	public synchronized void start() {
		if (this.poller == null) {
			this.poller = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "metering-cache-changes");
				thread.setDaemon(true);
				return thread;
			});
			long interval = this.pollInterval.toMillis();
			this.poller.scheduleWithFixedDelay(this::pollLogged, 0, interval, TimeUnit.MILLISECONDS);
		}
	}

	@Override
	public synchronized void stop() {
		if (this.poller != null) {
			this.poller.shutdownNow();
			try {
				this.poller.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.poller = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.poller != null;
	}

}
