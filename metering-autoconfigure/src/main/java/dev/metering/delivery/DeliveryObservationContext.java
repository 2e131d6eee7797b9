package dev.metering.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@link DeliveryObservationDocumentation#DELIVERY delivery
 * observation}: the provider, what settled the events, and what became of them, added as
 * it happens. The lanes of a pass settle events side by side, so what is added is kept
 * safely across threads.
 *
 * @since 0.1.0
 */
public final class DeliveryObservationContext extends Observation.Context {

	private final String provider;

	private final Trigger trigger;

	private final LongAdder coalesced = new LongAdder();

	private final LongAdder delivered = new LongAdder();

	private final LongAdder retried = new LongAdder();

	private final LongAdder deadLettered = new LongAdder();

	private final LongAdder refusedLateDeadLettered = new LongAdder();

	private final LongAdder refusedLateNotFound = new LongAdder();

	private final Queue<Duration> deliveryLatencies = new ConcurrentLinkedQueue<>();

	/**
	 * @param provider the name of the provider the events go to
	 * @param trigger what settles the events
	 */
	public DeliveryObservationContext(String provider, Trigger trigger) {
		this.provider = provider;
		this.trigger = trigger;
	}

	/**
	 * The context of the delivery observation current on this thread, to which what is
	 * settled is added.
	 * @return the context, or {@code null} when no delivery is observed here
	 */
	static @Nullable DeliveryObservationContext current(ObservationRegistry observations) {
		Observation current = observations.getCurrentObservation();
		return (current != null && current.getContext() instanceof DeliveryObservationContext context) ? context : null;
	}

	public String getProvider() {
		return this.provider;
	}

	public Trigger getTrigger() {
		return this.trigger;
	}

	/**
	 * @param events how many events were merged into others
	 */
	public void coalesced(long events) {
		this.coalesced.add(events);
	}

	/**
	 * An event was delivered.
	 * @param sinceRecorded how long after it was recorded, or {@code null} for an event
	 * stored before the outbox kept when events were recorded
	 */
	public void delivered(@Nullable Duration sinceRecorded) {
		this.delivered.increment();
		if (sinceRecorded != null) {
			this.deliveryLatencies.add(sinceRecorded.isNegative() ? Duration.ZERO : sinceRecorded);
		}
	}

	/** An event was scheduled again after a passing failure, or held back. */
	public void retried() {
		this.retried.increment();
	}

	/** An event became a dead letter. */
	public void deadLettered() {
		this.deadLettered.increment();
	}

	/**
	 * Events the provider refused after it had accepted them, as its error reports tell.
	 * @param events how many
	 * @param deadLettered whether they were found delivered in the outbox and are now
	 * dead letters (each also added by {@link #deadLettered()}); those that were not are
	 * logged only
	 */
	public void refusedLate(long events, boolean deadLettered) {
		(deadLettered ? this.refusedLateDeadLettered : this.refusedLateNotFound).add(events);
	}

	public long getCoalesced() {
		return this.coalesced.sum();
	}

	public long getDelivered() {
		return this.delivered.sum();
	}

	public long getRetried() {
		return this.retried.sum();
	}

	public long getDeadLettered() {
		return this.deadLettered.sum();
	}

	/**
	 * @param deadLettered whether the refusals found their events
	 * @return how many events the provider refused after accepting them
	 */
	public long getRefusedLate(boolean deadLettered) {
		return (deadLettered ? this.refusedLateDeadLettered : this.refusedLateNotFound).sum();
	}

	/** How long after they were recorded the events delivered were. */
	public List<Duration> getDeliveryLatencies() {
		return new ArrayList<>(this.deliveryLatencies);
	}

	/** What settles the events of a delivery observation. */
	public enum Trigger {

		/** A delivery pass, run every flush interval and on demand. */
		PASS,

		/**
		 * A provider's report, through its webhook, of usage it refused after accepting
		 * it.
		 */
		WEBHOOK;

		/** The value of the key {@code trigger}. */
		public String value() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
