package dev.metering.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataIntegrityViolationException;

import dev.metering.provider.UsageEvent;

/**
 * Keeps database writes off the request path: events wait in a bounded queue and a
 * background writer commits them in groups, at most {@code commitInterval} after the
 * first of a group arrived. That interval bounds what a crash can lose. When the queue is
 * full, the caller writes its event itself rather than wait long or drop it; once
 * stopped, every caller does.
 * <p>
 * While the database is unreachable, the writer keeps its group and tries again until it
 * is back, and the queue fills. An event whose caller could not write it either (the
 * queue full and the database away) is kept in memory beside the queue, never dropped: it
 * belongs to a call that already ran. Once the queue is full while the database is away,
 * {@link #hasRoom()} says so, and calls are refused before they run: what waits in memory
 * is bounded by the queue's capacity and the calls in flight.
 * <p>
 * Made by {@link UsageOutboxes#groupCommit}.
 *
 * @since 0.1.0
 */
public final class GroupCommitOutbox implements UsageOutbox, SmartLifecycle {

	/**
	 * Stops after the web server, so that requests still finishing append here, and
	 * before whatever delivers the table, whose phase is lower, so that its last delivery
	 * finds every event written.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

	private static final Log logger = LogFactory.getLog(GroupCommitOutbox.class);

	private static final int MAX_GROUP = 500;

	private static final Duration WRITE_RETRY_PAUSE = Duration.ofMillis(200);

	private static final long STORED_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	/**
	 * Queued by {@link #stop()} so that a writer waiting for events sees at once that it
	 * is stopped.
	 */
	private static final UsageEvent WAKE_UP = new UsageEvent("", "", "", 0, Instant.EPOCH);

	private final JdbcUsageOutbox store;

	private final BlockingQueue<UsageEvent> queue;

	/**
	 * Events of calls that ran while the queue was full and the database away: the writer
	 * stores them.
	 */
	private final Queue<UsageEvent> overflow = new ConcurrentLinkedQueue<>();

	private final int queueCapacity;

	/** The last write failed for a reason other than the data: the database is away. */
	private volatile boolean storeFailing;

	private final Duration commitInterval;

	private final Duration offerTimeout;

	private final Duration shutdownTimeout;

	/**
	 * Events handed to the queue, and events of those settled: their difference is in
	 * memory.
	 */
	private final AtomicLong accepted = new AtomicLong();

	private final AtomicLong settled = new AtomicLong();

	private final AtomicLong unstorable = new AtomicLong();

	private volatile long stopDeadline;

	private volatile boolean running;

	private @Nullable Thread writer;

	/**
	 * @param queueCapacity how many events may wait to be written
	 * @param offerTimeout how long a caller waits for room in a full queue before it
	 * writes its event itself
	 * @param shutdownTimeout how long shutdown keeps trying to store what is queued
	 */
	GroupCommitOutbox(JdbcUsageOutbox store, int queueCapacity, Duration commitInterval, Duration offerTimeout,
			Duration shutdownTimeout) {
		this.store = store;
		this.queue = new ArrayBlockingQueue<>(queueCapacity);
		this.queueCapacity = queueCapacity;
		this.commitInterval = commitInterval;
		this.offerTimeout = offerTimeout;
		this.shutdownTimeout = shutdownTimeout;
	}

	/**
	 * Refuses at once what the table cannot hold, rather than acknowledge an event that
	 * would never be written.
	 */
	@Override
	public void append(UsageEvent event) {
		problemWith(event).ifPresent((problem) -> {
			throw new IllegalArgumentException(problem);
		});
		if (this.running && enqueue(event)) {
			if (!this.running) {
				// the writer may have found the queue empty and ended before this event
				// arrived
				writeQueued();
			}
			return;
		}
		try {
			this.store.append(event);
			this.storeFailing = false;
		}
		catch (IllegalArgumentException | DataIntegrityViolationException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			if (!this.running) {
				throw ex;
			}
			// the database is away and the queue full: the call ran, its usage waits
			// beside the queue
			this.storeFailing = true;
			this.accepted.incrementAndGet();
			this.overflow.add(event);
		}
	}

	/**
	 * {@code false} once the queue is full while the database is away: a call admitted
	 * now would add to what waits in memory beyond the queue's capacity.
	 */
	@Override
	public boolean hasRoom() {
		return !this.storeFailing || queuedCount() < this.queueCapacity;
	}

	@Override
	public Optional<String> problemWith(UsageEvent event) {
		return this.store.problemWith(event);
	}

	private boolean enqueue(UsageEvent event) {
		this.accepted.incrementAndGet();
		try {
			if (this.queue.offer(event, this.offerTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
				return true;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.accepted.decrementAndGet();
		return false;
	}

	/**
	 * Waits, looking every millisecond, until the events accepted before it was called
	 * are written or given up on.
	 */
	@Override
	public boolean awaitStored(Duration timeout) {
		long target = this.accepted.get();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.settled.get() < target) {
			if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
				return false;
			}
			LockSupport.parkNanos(STORED_LOOK_NANOS);
		}
		return true;
	}

	/** Events appended and not yet written, nor given up on. */
	public long queuedCount() {
		return this.accepted.get() - this.settled.get();
	}

	/** Events the database refused to store, each logged at ERROR and dropped. */
	public long unstorableCount() {
		return this.unstorable.get();
	}

	@Override
	public void start() {
		this.running = true;
		this.writer = new Thread(this::writeLoop, "metering-outbox-writer");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/**
	 * Stops the writer once it has stored the queue; what comes later is stored at once.
	 */
	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.stopDeadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		this.running = false;
		this.queue.offer(WAKE_UP);
		try {
			// running, so started
			Objects.requireNonNull(this.writer).join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Writes until stopped and the queue is empty. An append that saw the writer running
	 * offered its event before the writer saw it stopped, so the writer's last look at
	 * the queue finds that event; an append that saw it stopped writes the queue itself.
	 */
	private void writeLoop() {
		List<UsageEvent> group = new ArrayList<>(MAX_GROUP);
		while (this.running || !this.queue.isEmpty() || !this.overflow.isEmpty()) {
			try {
				if (writeOverflow(group)) {
					continue;
				}
				UsageEvent first = this.queue.poll(100, TimeUnit.MILLISECONDS);
				if (first == null || first == WAKE_UP) {
					continue;
				}
				group.add(first);
				long deadline = System.nanoTime() + this.commitInterval.toNanos();
				while (group.size() < MAX_GROUP && System.nanoTime() < deadline) {
					if (this.queue.drainTo(group, MAX_GROUP - group.size()) == 0) {
						LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), 200_000));
					}
				}
				writeAll(group);
				group.clear();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				writeQueued();
				return;
			}
		}
	}

	/**
	 * Writes a group of the events kept beside the queue, if any.
	 * @return whether there were some
	 */
	private boolean writeOverflow(List<UsageEvent> group) {
		UsageEvent event;
		while (group.size() < MAX_GROUP && (event = this.overflow.poll()) != null) {
			group.add(event);
		}
		if (group.isEmpty()) {
			return false;
		}
		writeAll(group);
		group.clear();
		return true;
	}

	private void writeQueued() {
		List<UsageEvent> group = new ArrayList<>(MAX_GROUP);
		while (writeOverflow(group) || this.queue.drainTo(group, MAX_GROUP) > 0) {
			writeAll(group);
			group.clear();
		}
	}

	private void writeAll(List<UsageEvent> group) {
		group.removeIf((event) -> event == WAKE_UP);
		if (!group.isEmpty()) {
			write(group);
		}
	}

	/**
	 * Writes a group in one transaction. When the database refuses the data, the halves
	 * are written apart, down to the one event it refuses, which is given up on: it would
	 * be refused again and hold back every event behind it. Any other failure (the
	 * database is down) is retried, the group whole, until it is stored: a group is never
	 * dropped while the application runs; at shutdown, what still cannot be stored is
	 * logged.
	 */
	private void write(List<UsageEvent> group) {
		while (true) {
			try {
				this.store.appendAll(group);
				this.settled.addAndGet(group.size());
				this.storeFailing = false;
				return;
			}
			catch (IllegalArgumentException | DataIntegrityViolationException ex) {
				if (group.size() == 1) {
					giveUp(group.get(0), ex);
				}
				else {
					write(group.subList(0, group.size() / 2));
					write(group.subList(group.size() / 2, group.size()));
				}
				return;
			}
			catch (RuntimeException ex) {
				this.storeFailing = true;
				if (!this.running && System.nanoTime() > this.stopDeadline) {
					logger.error(
							group.size() + " usage event(s) could not be stored before shutdown and are lost: " + group,
							ex);
					this.settled.addAndGet(group.size());
					return;
				}
				logger.error("Could not store " + group.size() + " usage event(s); trying again", ex);
				LockSupport.parkNanos(WRITE_RETRY_PAUSE.toNanos());
			}
		}
	}

	/**
	 * Logs the whole event, so that it can be recorded again by hand once the cause is
	 * fixed.
	 */
	private void giveUp(UsageEvent event, RuntimeException ex) {
		this.unstorable.incrementAndGet();
		this.settled.incrementAndGet();
		logger.error("The database refused usage event " + event + ", which is dropped and will not be delivered: "
				+ ex.getMessage(), ex);
	}

}
