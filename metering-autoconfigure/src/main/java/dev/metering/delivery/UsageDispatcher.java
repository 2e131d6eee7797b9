package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import dev.metering.BillingSubject;
import dev.metering.outbox.CancelledUsage;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.provider.MeterProvider;

/**
 * Delivers the outbox to the provider in passes on a background thread, every flush
 * interval and on demand, so that no request thread ever waits for the provider. Its
 * threads, named {@code metering-delivery-}, are its own: one runs the passes, the others
 * the lanes of a pass. Made by its {@link #builder builder}.
 *
 * @since 0.1.0
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
	UsageDispatcher(DeliveryQueue queue, MeterProvider provider, CustomerLookup customers, DeliverySettings settings,
			Clock clock, ObservationRegistry observations) {
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
	 * Starts a dispatcher of a queue to a provider.
	 * @param queue what waits for delivery
	 * @param provider where it is delivered
	 */
	public static Builder builder(DeliveryQueue queue, MeterProvider provider) {
		return new Builder(queue, provider);
	}

	/**
	 * Replaces {@link DefaultDeliveryObservationConvention} for the observations of
	 * passes.
	 */
	void setObservationConvention(DeliveryObservationConvention convention) {
		this.pass.setObservationConvention(convention);
	}

	/**
	 * Replaces {@link DefaultProviderRequestObservationConvention} for the observations
	 * of requests.
	 */
	void setRequestObservationConvention(ProviderRequestObservationConvention convention) {
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
	 * Marks an event cancelled in the queue, so that it is never delivered (again).
	 * @see DeliveryQueue#cancel
	 */
	public Optional<CancelledUsage> cancel(String identifier) {
		return this.queue.cancel(identifier);
	}

	/**
	 * Marks a delivered event cancelled by {@link #cancel} delivered again: the provider
	 * could not cancel it.
	 */
	public void restoreDelivered(String identifier) {
		this.queue.restoreDelivered(identifier);
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

	/**
	 * Builds a {@link UsageDispatcher}. What is not set has the default of the
	 * {@code metering.delivery} property that configures it.
	 */
	public static final class Builder {

		private final DeliveryQueue queue;

		private final MeterProvider provider;

		private CustomerLookup customers = (subject) -> Optional.empty();

		private RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(500), Duration.ofMinutes(5), 12);

		private Duration flushInterval = Duration.ofSeconds(1);

		private Duration shutdownTimeout = Duration.ofSeconds(10);

		private int concurrency = 4;

		private Set<String> coalescedEventNames = Set.of();

		private Duration retention = Duration.ofDays(7);

		private Duration customerLookupRetry = Duration.ofSeconds(10);

		private Clock clock = Clock.systemUTC();

		private ObservationRegistry observations = ObservationRegistry.NOOP;

		private @Nullable DeliveryObservationConvention observationConvention;

		private @Nullable ProviderRequestObservationConvention requestObservationConvention;

		private Builder(DeliveryQueue queue, MeterProvider provider) {
			this.queue = Objects.requireNonNull(queue, "queue");
			this.provider = Objects.requireNonNull(provider, "provider");
		}

		/**
		 * Names the customer of usage recorded while the provider could not; none unless
		 * set.
		 */
		public Builder customers(Function<BillingSubject, Optional<String>> customers) {
			this.customers = customers::apply;
			return this;
		}

		/**
		 * How failed attempts are retried: exponential backoff with full jitter, capped.
		 * @param initial the delay after the first failure
		 * @param max the longest delay
		 * @param maxAttempts the attempts after which an event is dead-lettered
		 */
		public Builder backoff(Duration initial, Duration max, int maxAttempts) {
			this.backoff = new RetryBackoff(initial, max, maxAttempts);
			return this;
		}

		/**
		 * When and how wide delivery runs.
		 * @param flushInterval how often pending usage is sent
		 * @param shutdownTimeout how long shutdown waits to deliver what is pending
		 * @param concurrency how many customers' events are delivered at the same time
		 */
		public Builder pacing(Duration flushInterval, Duration shutdownTimeout, int concurrency) {
			this.flushInterval = flushInterval;
			this.shutdownTimeout = shutdownTimeout;
			this.concurrency = concurrency;
			return this;
		}

		/**
		 * Event names whose pending events are merged per customer before they are sent
		 * (those of sum meters); none unless set.
		 */
		public Builder coalescedEventNames(Set<String> eventNames) {
			this.coalescedEventNames = eventNames;
			return this;
		}

		/** How long delivered events are kept in the outbox. */
		public Builder retention(Duration retention) {
			this.retention = retention;
			return this;
		}

		/**
		 * How long usage waiting for its customer waits after a look-up that failed
		 * before the next.
		 */
		public Builder customerLookupRetry(Duration retry) {
			this.customerLookupRetry = retry;
			return this;
		}

		/** The clock of retries and purges; the system's in UTC unless set. */
		public Builder clock(Clock clock) {
			this.clock = clock;
			return this;
		}

		/**
		 * Where passes and requests to the provider are observed, with the application's
		 * conventions; none unless set.
		 * @param convention the convention of passes, or {@code null} for the default
		 * @param requestConvention the convention of requests, or {@code null} for the
		 * default
		 */
		public Builder observations(ObservationRegistry observations,
				@Nullable DeliveryObservationConvention convention,
				@Nullable ProviderRequestObservationConvention requestConvention) {
			this.observations = observations;
			this.observationConvention = convention;
			this.requestObservationConvention = requestConvention;
			return this;
		}

		/** Builds the dispatcher, not yet started. */
		public UsageDispatcher build() {
			UsageDispatcher dispatcher = new UsageDispatcher(this.queue, this.provider, this.customers,
					new DeliverySettings(this.backoff, this.flushInterval, this.shutdownTimeout, this.concurrency,
							this.coalescedEventNames, this.retention, this.customerLookupRetry),
					this.clock, this.observations);
			if (this.observationConvention != null) {
				dispatcher.setObservationConvention(this.observationConvention);
			}
			if (this.requestObservationConvention != null) {
				dispatcher.setRequestObservationConvention(this.requestObservationConvention);
			}
			return dispatcher;
		}

	}

}
