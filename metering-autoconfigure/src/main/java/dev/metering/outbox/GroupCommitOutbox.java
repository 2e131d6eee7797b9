package dev.metering.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

import dev.metering.provider.UsageEvent;

/**
 * Keeps database writes off the request path: events wait in a bounded queue and a
 * background writer commits them in groups, at most {@code commitInterval} after the first of
 * a group arrived. That interval bounds what a crash can lose. When the queue is full, the
 * caller writes its event itself rather than wait long or drop it.
 */
public final class GroupCommitOutbox implements UsageOutbox, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(GroupCommitOutbox.class);

	private static final int MAX_GROUP = 500;

	private static final Duration WRITE_RETRY_PAUSE = Duration.ofMillis(200);

	private final JdbcUsageOutbox store;

	private final BlockingQueue<UsageEvent> queue;

	private final Duration commitInterval;

	private final Duration offerTimeout;

	private final Duration shutdownTimeout;

	/** Events handed to the queue, and events of those written: their difference is in memory. */
	private final AtomicLong accepted = new AtomicLong();

	private final AtomicLong written = new AtomicLong();

	private volatile long stopDeadline;

	private volatile boolean running;

	private Thread writer;

	/**
	 * @param queueCapacity how many events may wait to be written
	 * @param offerTimeout how long a caller waits for room in a full queue before it writes
	 * its event itself
	 * @param shutdownTimeout how long shutdown keeps trying to store what is queued
	 */
	public GroupCommitOutbox(JdbcUsageOutbox store, int queueCapacity, Duration commitInterval,
			Duration offerTimeout, Duration shutdownTimeout) {
		this.store = store;
		this.queue = new ArrayBlockingQueue<>(queueCapacity);
		this.commitInterval = commitInterval;
		this.offerTimeout = offerTimeout;
		this.shutdownTimeout = shutdownTimeout;
	}

	@Override
	public void append(UsageEvent event) {
		if (this.running) {
			this.accepted.incrementAndGet();
			try {
				if (this.queue.offer(event, this.offerTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
					return;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.accepted.decrementAndGet();
		}
		this.store.append(event);
	}

	@Override
	public void start() {
		this.running = true;
		this.writer = new Thread(this::writeLoop, "metering-outbox-writer");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/** Stops the writer once it has stored the queue; what comes later is stored at once. */
	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.stopDeadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		this.running = false;
		try {
			this.writer.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void flushQueued() {
		stop();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void writeLoop() {
		List<UsageEvent> group = new ArrayList<>(MAX_GROUP);
		while (this.running || !this.queue.isEmpty()) {
			try {
				UsageEvent first = this.queue.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				group.add(first);
				long deadline = System.nanoTime() + this.commitInterval.toNanos();
				while (group.size() < MAX_GROUP && System.nanoTime() < deadline) {
					if (this.queue.drainTo(group, MAX_GROUP - group.size()) == 0) {
						LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), 200_000));
					}
				}
				write(group);
				group.clear();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * Writes a group, trying again until it is stored: a group is never dropped while the
	 * application runs; at shutdown, what still cannot be stored is logged.
	 */
	private void write(List<UsageEvent> group) {
		while (true) {
			try {
				this.store.appendAll(group);
				this.written.addAndGet(group.size());
				return;
			}
			catch (RuntimeException ex) {
				if (!this.running && System.nanoTime() > this.stopDeadline) {
					logger.error(group.size() + " usage event(s) could not be stored before shutdown and are lost: "
							+ group, ex);
					this.written.addAndGet(group.size());
					return;
				}
				logger.error("Could not store " + group.size() + " usage event(s); trying again", ex);
				LockSupport.parkNanos(WRITE_RETRY_PAUSE.toNanos());
			}
		}
	}

	@Override
	public List<OutboxEntry> due(Instant now, int max) {
		return this.store.due(now, max);
	}

	@Override
	public int coalesce(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		return this.store.coalesce(eventNames, now, identifiers);
	}

	@Override
	public int purgeSettled(Instant cutoff) {
		return this.store.purgeSettled(cutoff);
	}

	@Override
	public void markDelivered(String identifier) {
		this.store.markDelivered(identifier);
	}

	@Override
	public void scheduleRetry(String identifier, Instant nextAttemptAt, String error) {
		this.store.scheduleRetry(identifier, nextAttemptAt, error);
	}

	@Override
	public void deadLetter(String identifier, String code, String message, Instant failedAt) {
		this.store.deadLetter(identifier, code, message, failedAt);
	}

	/** Events waiting to be written count as pending too. */
	@Override
	public long pendingCount() {
		return (this.accepted.get() - this.written.get()) + this.store.pendingCount();
	}

	@Override
	public List<DeadLetter> deadLetters() {
		return this.store.deadLetters();
	}

	@Override
	public boolean redrive(String identifier) {
		return this.store.redrive(identifier);
	}

}
