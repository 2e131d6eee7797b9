package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.provider.MeterProvider;

/**
 * Delivers the outbox to the provider in passes on a background thread, every flush
 * interval and on demand, so that no request thread ever waits for the provider. Its
 * threads, named {@code metering-delivery-}, are its own: one runs the passes, the others
 * the lanes of a pass.
 */
public final class UsageDispatcher implements SmartLifecycle {

	/**
	 * Below the web server's graceful shutdown and the outbox's group commit: stops after
	 * them, when requests are done and their usage is stored, so that it is delivered.
	 */
	public static final int PHASE = GroupCommitOutbox.PHASE - 1024;

	private static final Log logger = LogFactory.getLog(UsageDispatcher.class);

	private static final Duration PURGE_EVERY = Duration.ofHours(1);

	private static final Duration BACKING_OFF_PAUSE = Duration.ofMillis(20);

	private final DeliveryQueue queue;

	private final String provider;

	private final DeliverySettings settings;

	private final Clock clock;

	private final ThreadPoolTaskExecutor threads = new ThreadPoolTaskExecutor();

	private final DeliveryPass pass;

	private final Object signal = new Object();

	private volatile boolean running;

	private boolean wakeRequested;

	private long passes;

	private Instant lastPurge = Instant.EPOCH;

	private @Nullable Future<?> loop;

	/**
	 * @param customers names the customers of usage recorded while the provider could not
	 * @param observations where the passes and the requests to the provider are observed
	 */
	public UsageDispatcher(DeliveryQueue queue, MeterProvider provider, CustomerLookup customers,
			DeliverySettings settings, Clock clock, ObservationRegistry observations) {
		this.queue = queue;
		this.provider = provider.name();
		this.settings = settings;
		this.clock = clock;
		// one thread for the passes, and one for each lane that runs side by side
		this.threads.setCorePoolSize(settings.concurrency() + 1);
		this.threads.setMaxPoolSize(settings.concurrency() + 1);
		this.threads.setThreadNamePrefix("metering-delivery-");
		this.threads.setDaemon(true);
		OutcomeSettler settler = new OutcomeSettler(queue, settings.backoff(), observations, this.provider, clock);
		CustomerNaming naming = new CustomerNaming(queue, customers, this.provider, settings.customerLookupRetry(),
				clock);
		this.pass = new DeliveryPass(queue, provider, naming, settler, settings.coalescedEventNames(), observations,
				(settings.concurrency() > 1) ? this.threads : null);
	}

	/**
	 * Replaces {@link DefaultDeliveryObservationConvention} for the observations of
	 * passes.
	 */
	public void setObservationConvention(DeliveryObservationConvention convention) {
		this.pass.setObservationConvention(convention);
	}

	/**
	 * Replaces {@link DefaultProviderRequestObservationConvention} for the observations
	 * of requests.
	 */
	public void setRequestObservationConvention(ProviderRequestObservationConvention convention) {
		this.pass.setRequestObservationConvention(convention);
	}

	@Override
	public void start() {
		this.threads.initialize();
		this.running = true;
		this.loop = this.threads.submit(this::loop);
	}

	/**
	 * Delivers what is pending, for at most the shutdown timeout, then ends its threads;
	 * what is left stays in the outbox.
	 */
	@Override
	public void stop() {
		this.running = false;
		wake();
		try {
			// started before it is stopped
			Objects.requireNonNull(this.loop)
				.get(Math.max(1, this.settings.shutdownTimeout().toMillis()), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// what is left stays in the outbox, and is counted below
		}
		this.threads.shutdown();
		long left = this.queue.pendingCount();
		if (left > 0) {
			logger.warn(left + " usage event(s) not delivered to " + this.provider + " at shutdown");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops after the web server has finished its requests, so their usage is delivered.
	 */
	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Delivers what is due now and waits until nothing is pending.
	 * @return {@code true} when everything recorded so far is delivered or dead-lettered;
	 * {@code false} at the timeout, when stopped, or at once when the calling thread is
	 * interrupted, whose interrupt stays set
	 */
	public boolean flush(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.signal) {
			try {
				while (this.queue.pendingCount() > 0) {
					if (deadline - System.nanoTime() <= 0 || !this.running) {
						return false;
					}
					long passSeen = this.passes;
					this.wakeRequested = true;
					this.signal.notifyAll();
					long left;
					while (this.passes == passSeen && (left = deadline - System.nanoTime()) > 0) {
						waitAtMost(left);
					}
					if (this.queue.pendingCount() > 0) {
						// what is left is backing off or still being stored: pause, do
						// not spin
						waitAtMost(Math.min(deadline - System.nanoTime(), BACKING_OFF_PAUSE.toNanos()));
					}
				}
				return true;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
	}

	private void wake() {
		synchronized (this.signal) {
			this.wakeRequested = true;
			this.signal.notifyAll();
		}
	}

	private void loop() {
		boolean lastPassFailed = false;
		while (this.running) {
			try {
				if (lastPassFailed) {
					// what the failed pass claimed and could not settle is due again at
					// once
					this.queue.releaseClaims();
				}
				this.pass.run(this.clock.instant());
				lastPassFailed = false;
				purgeSettledHourly();
			}
			catch (RuntimeException ex) {
				// the outbox's store failed (database down?): nothing is lost, try again
				// later
				lastPassFailed = true;
				logger.error("Usage delivery pass failed; trying again in " + this.settings.flushInterval(), ex);
			}
			if (!awaitNextPass()) {
				return;
			}
		}
		drainOnShutdown();
	}

	/**
	 * @return {@code false} when interrupted: shutdown ran out of time
	 */
	private boolean awaitNextPass() {
		synchronized (this.signal) {
			passEnded();
			try {
				if (!this.wakeRequested && this.running) {
					waitAtMost(this.settings.flushInterval().toNanos());
				}
				return true;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
			finally {
				this.wakeRequested = false;
			}
		}
	}

	private void drainOnShutdown() {
		long deadline = System.nanoTime() + this.settings.shutdownTimeout().toNanos();
		try {
			while (System.nanoTime() < deadline && this.pass.run(this.clock.instant()) > 0) {
				// keep going while there is due work and time left
			}
		}
		catch (RuntimeException ex) {
			logger.error("Usage delivery failed at shutdown; what is stored is delivered at the next start", ex);
		}
		synchronized (this.signal) {
			passEnded();
		}
	}

	private void passEnded() {
		this.passes++;
		this.signal.notifyAll();
	}

	private void purgeSettledHourly() {
		Instant now = this.clock.instant();
		if (Duration.between(this.lastPurge, now).compareTo(PURGE_EVERY) >= 0) {
			this.lastPurge = now;
			Instant cutoff = now.minus(this.settings.retention());
			int purged = this.queue.purgeSettled(cutoff);
			if (purged > 0 && logger.isDebugEnabled()) {
				logger.debug("Forgot " + purged + " usage event(s) delivered before " + cutoff);
			}
		}
	}

	private void waitAtMost(long nanos) throws InterruptedException {
		this.signal.wait(Math.max(1, nanos / 1_000_000));
	}

}
