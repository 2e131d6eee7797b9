package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.metering.outbox.EventIdentifiers;
import dev.metering.outbox.OutboxEntry;
import dev.metering.outbox.UsageOutbox;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.SmartLifecycle;

/**
 * Delivers the outbox to the provider on a background thread, every flush interval and on
 * demand, so that no request thread ever waits for the provider.
 */
public final class UsageDispatcher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(UsageDispatcher.class);

	/** Below the web server's graceful shutdown: stops after it, when requests are done. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final int BATCH_SIZE = 100;

	private static final Duration PURGE_EVERY = Duration.ofHours(1);

	private static final Duration BACKING_OFF_PAUSE = Duration.ofMillis(20);

	private final UsageOutbox outbox;

	private final MeterProvider provider;

	private final DeliverySettings settings;

	private final EventIdentifiers identifiers = new EventIdentifiers();

	private final Clock clock;

	private final MeterRegistry registry;

	private ExecutorService lanePool;

	private final Object signal = new Object();

	private volatile boolean running;

	private boolean wakeRequested;

	private long passes;

	private Instant lastPurge = Instant.EPOCH;

	private Thread worker;

	public UsageDispatcher(UsageOutbox outbox, MeterProvider provider, DeliverySettings settings, Clock clock,
			MeterRegistry registry) {
		this.outbox = outbox;
		this.provider = provider;
		this.settings = settings;
		this.clock = clock;
		this.registry = registry;
	}

	@Override
	public void start() {
		if (this.settings.concurrency() > 1) {
			AtomicInteger threads = new AtomicInteger();
			this.lanePool = Executors.newFixedThreadPool(this.settings.concurrency(), (task) -> {
				Thread thread = new Thread(task, "metering-delivery-" + threads.incrementAndGet());
				thread.setDaemon(true);
				return thread;
			});
		}
		this.running = true;
		this.worker = new Thread(this::loop, "metering-dispatcher");
		this.worker.setDaemon(true);
		this.worker.start();
	}

	@Override
	public void stop() {
		this.outbox.flushQueued();
		this.running = false;
		wake();
		try {
			this.worker.join(Math.max(1, this.settings.shutdownTimeout().toMillis()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.lanePool != null) {
			this.lanePool.shutdown();
		}
		long left = this.outbox.pendingCount();
		if (left > 0) {
			logger.warn(left + " usage event(s) not delivered to " + this.provider.name() + " at shutdown");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops after the web server has finished its requests, so their usage is delivered. */
	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Delivers what is due now and waits until nothing is pending.
	 * @return {@code true} when everything recorded so far is delivered or dead-lettered
	 */
	public boolean flush(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.signal) {
			while (this.outbox.pendingCount() > 0) {
				if (deadline - System.nanoTime() <= 0 || !this.running) {
					return false;
				}
				long passSeen = this.passes;
				this.wakeRequested = true;
				this.signal.notifyAll();
				long left;
				while (this.passes == passSeen && (left = deadline - System.nanoTime()) > 0) {
					waitQuietly(left);
				}
				if (this.outbox.pendingCount() > 0) {
					// what is left is backing off or still being stored: pause, do not spin
					waitQuietly(Math.min(deadline - System.nanoTime(), BACKING_OFF_PAUSE.toNanos()));
				}
			}
			return true;
		}
	}

	private void wake() {
		synchronized (this.signal) {
			this.wakeRequested = true;
			this.signal.notifyAll();
		}
	}

	private void loop() {
		while (this.running) {
			try {
				deliverDue();
				purgeSettledHourly();
			}
			catch (RuntimeException ex) {
				// the outbox's store failed (database down?): nothing is lost, try again later
				logger.error("Usage delivery pass failed; trying again in " + this.settings.flushInterval(), ex);
			}
			synchronized (this.signal) {
				this.passes++;
				this.signal.notifyAll();
				if (!this.wakeRequested && this.running) {
					waitQuietly(this.settings.flushInterval().toNanos());
				}
				this.wakeRequested = false;
			}
		}
		drainOnShutdown();
	}

	private void drainOnShutdown() {
		long deadline = System.nanoTime() + this.settings.shutdownTimeout().toNanos();
		try {
			while (System.nanoTime() < deadline && deliverDue() > 0) {
				// keep going while there is due work and time left
			}
		}
		catch (RuntimeException ex) {
			logger.error("Usage delivery failed at shutdown; what is stored is delivered at the next start", ex);
		}
		synchronized (this.signal) {
			this.passes++;
			this.signal.notifyAll();
		}
	}

	/**
	 * One pass: delivers what was due when the pass began. Later events wait for the next
	 * pass, so that they gather and coalesce instead of trickling out one call each.
	 * @return how many entries were attempted
	 */
	int deliverDue() {
		Instant passStart = this.clock.instant();
		coalesce(passStart);
		int attempted = 0;
		List<OutboxEntry> batch;
		while (!(batch = this.outbox.due(passStart, BATCH_SIZE)).isEmpty()) {
			deliver(batch);
			attempted += batch.size();
		}
		return attempted;
	}

	private void purgeSettledHourly() {
		Instant now = this.clock.instant();
		if (Duration.between(this.lastPurge, now).compareTo(PURGE_EVERY) >= 0) {
			this.lastPurge = now;
			Instant cutoff = now.minus(this.settings.retention());
			int purged = this.outbox.purgeSettled(cutoff);
			if (purged > 0 && logger.isDebugEnabled()) {
				logger.debug("Forgot " + purged + " usage event(s) delivered before " + cutoff);
			}
		}
	}

	/** Merges what piled up since the last pass, so that calls grow with customers, not events. */
	private void coalesce(Instant passStart) {
		if (this.settings.coalescedEventNames().isEmpty()) {
			return;
		}
		try {
			int merged;
			do {
				merged = this.outbox.coalesce(this.settings.coalescedEventNames(), passStart,
						this.identifiers::next);
				this.registry.counter("metering.events.coalesced").increment(merged);
			}
			while (merged > 0);
		}
		catch (RuntimeException ex) {
			// the events stay as they were and are sent one by one
			logger.warn("Could not coalesce pending usage events: " + ex.getMessage());
		}
	}

	/**
	 * Delivers a batch in lanes, one per customer and event name: lanes run side by side,
	 * the events of one lane one after another, so that a provider never sees two requests in
	 * flight for the same customer and meter. The batch ends before the next one starts.
	 */
	private void deliver(List<OutboxEntry> batch) {
		int batchSize = this.provider.batchSize();
		if (batchSize > 1) {
			for (int from = 0; from < batch.size(); from += batchSize) {
				attemptTogether(batch.subList(from, Math.min(from + batchSize, batch.size())));
			}
			return;
		}
		Map<String, List<OutboxEntry>> lanes = new LinkedHashMap<>();
		for (OutboxEntry entry : batch) {
			lanes.computeIfAbsent(entry.event().customerId() + '\0' + entry.event().eventName(),
					(lane) -> new ArrayList<>())
				.add(entry);
		}
		if (lanes.size() == 1 || this.lanePool == null) {
			batch.forEach(this::attempt);
			return;
		}
		List<Future<?>> running = new ArrayList<>(lanes.size());
		lanes.values().forEach((lane) -> running.add(this.lanePool.submit(() -> lane.forEach(this::attempt))));
		for (Future<?> lane : running) {
			try {
				lane.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (ExecutionException ex) {
				logger.error("Usage delivery lane failed", ex.getCause());
			}
		}
	}

	private void attempt(OutboxEntry entry) {
		DeliveryOutcome outcome;
		try {
			outcome = this.provider.deliver(entry.event());
		}
		catch (RuntimeException ex) {
			outcome = failed(ex);
		}
		settle(entry, outcome);
	}

	/** One request for several events, for providers that take batches. */
	private void attemptTogether(List<OutboxEntry> entries) {
		List<DeliveryOutcome> outcomes;
		try {
			outcomes = this.provider.deliverAll(entries.stream().map(OutboxEntry::event).toList());
		}
		catch (RuntimeException ex) {
			outcomes = Collections.nCopies(entries.size(), failed(ex));
		}
		for (int i = 0; i < entries.size(); i++) {
			settle(entries.get(i), outcomes.get(i));
		}
	}

	private static DeliveryOutcome failed(RuntimeException ex) {
		return DeliveryOutcome.retry(ex.getClass().getSimpleName() + ": " + ex.getMessage());
	}

	private void settle(OutboxEntry entry, DeliveryOutcome outcome) {
		UsageEvent event = entry.event();
		if (outcome instanceof DeliveryOutcome.Delivered) {
			this.outbox.markDelivered(event.identifier());
			this.registry.counter("metering.events.delivered", "provider", this.provider.name()).increment();
		}
		else if (outcome instanceof DeliveryOutcome.Retry retry) {
			int failures = entry.attempts() + 1;
			if (this.settings.backoff().exhausted(failures)) {
				deadLetter(event, "retries_exhausted", retry.reason());
			}
			else {
				Instant next = this.clock.instant().plus(this.settings.backoff().delayAfter(failures));
				this.outbox.scheduleRetry(event.identifier(), next, retry.reason());
				this.registry.counter("metering.events.retried", "provider", this.provider.name()).increment();
				if (logger.isDebugEnabled()) {
					logger.debug("Retrying usage event " + event.identifier() + " at " + next + ": " + retry.reason());
				}
			}
		}
		else if (outcome instanceof DeliveryOutcome.Rejected rejected) {
			deadLetter(event, rejected.code(), rejected.message());
		}
	}

	private void deadLetter(UsageEvent event, String code, String message) {
		this.outbox.deadLetter(event.identifier(), code, message, this.clock.instant());
		this.registry.counter("metering.events.dead-lettered", "provider", this.provider.name()).increment();
		logger.warn("Usage event " + event.identifier() + " (" + event.eventName() + ", customer "
				+ event.customerId() + ", value " + event.value() + ") was refused by " + this.provider.name() + ": "
				+ code + ": " + message);
	}

	private void waitQuietly(long nanos) {
		try {
			long millis = Math.max(1, nanos / 1_000_000);
			this.signal.wait(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
