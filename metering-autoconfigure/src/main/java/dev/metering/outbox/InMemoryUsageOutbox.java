package dev.metering.outbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.provider.UsageEvent;

/**
 * Outbox kept in memory: fast, and lost with the process. Hands out due entries in the
 * order they were recorded, and remembers the last {@value #DELIVERED_KEPT} events
 * delivered, for as long as {@link #purgeSettled} leaves them, and the last as many
 * merged into others, so that they can be cancelled. Recording takes no lock: appended
 * entries wait in a lock-free queue until the dispatcher's next look, so that a call
 * never waits for a delivery pass.
 *
 * @since 0.1.0
 */
public final class InMemoryUsageOutbox implements UsageOutbox, DeliveryQueue, UndeliveredUsage {

	/** How many delivered events are remembered, at most. */
	static final int DELIVERED_KEPT = 10_000;

	private final Map<String, OutboxEntry> pending = new LinkedHashMap<>();

	/**
	 * Events merged into another, by identifier, with the one they are in: the last
	 * {@value #DELIVERED_KEPT}, like delivered events.
	 */
	private final Map<String, Covered> covered = new LinkedHashMap<>(1024, 0.75f, false) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Covered> eldest) {
			return size() > DELIVERED_KEPT;
		}

	};

	/** The entries handed out for delivery and not settled yet. */
	private final Set<String> inDelivery = new HashSet<>();

	/** Delivered events, oldest first, for cancelling. */
	private final Map<String, Delivered> delivered = new LinkedHashMap<>(1024, 0.75f, false) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Delivered> eldest) {
			return size() > DELIVERED_KEPT;
		}

	};

	/** Appended entries on their way into {@link #pending}. */
	private final Queue<OutboxEntry> appended = new ConcurrentLinkedQueue<>();

	/**
	 * Entries appended and not yet in {@link #pending}, counted before they are queued.
	 */
	private final AtomicLong appendedCount = new AtomicLong();

	private final List<DeadLetter> deadLetters = new ArrayList<>();

	/** When each dead letter was recorded, so that a re-driven event keeps it. */
	private final Map<String, Instant> deadLettersRecordedAt = new HashMap<>();

	private final Clock clock;

	/**
	 * @param clock tells when an event was appended, which is when its first attempt is
	 * due
	 */
	public InMemoryUsageOutbox(Clock clock) {
		this.clock = clock;
	}

	/** Due at once: an event stamped ahead is not held back until its time comes. */
	@Override
	public void append(UsageEvent event) {
		Instant now = this.clock.instant();
		// counted before it is queued, so that a flush waiting for none pending never
		// misses it
		this.appendedCount.incrementAndGet();
		this.appended.add(new OutboxEntry(event, 0, now, null, now));
	}

	/**
	 * Moves what was appended into {@link #pending}, in order; under the lock, first
	 * thing in every other operation, so that each sees every event appended before it.
	 */
	private void takeAppended() {
		OutboxEntry entry;
		while ((entry = this.appended.poll()) != null) {
			this.pending.put(entry.event().identifier(), entry);
			this.appendedCount.decrementAndGet();
		}
	}

	@Override
	public synchronized List<OutboxEntry> due(Instant now, int max) {
		takeAppended();
		// entries are kept in the order they were recorded: stop at max instead of
		// sorting all
		List<OutboxEntry> due = new ArrayList<>(Math.min(max, this.pending.size()));
		for (OutboxEntry entry : this.pending.values()) {
			if (due.size() == max) {
				break;
			}
			if (entry.event().hasCustomer() && !entry.nextAttemptAt().isAfter(now)) {
				due.add(entry);
				this.inDelivery.add(entry.event().identifier());
			}
		}
		return due;
	}

	@Override
	public synchronized List<BillingSubject> awaitingCustomer(Instant now, int max) {
		takeAppended();
		Set<BillingSubject> subjects = new LinkedHashSet<>();
		for (OutboxEntry entry : this.pending.values()) {
			if (subjects.size() == max) {
				break;
			}
			if (!entry.event().hasCustomer() && !entry.nextAttemptAt().isAfter(now)) {
				subjects.add(entry.event().subject());
			}
		}
		return new ArrayList<>(subjects);
	}

	@Override
	public synchronized int nameCustomer(BillingSubject subject, String customerId, Instant now) {
		takeAppended();
		int named = 0;
		for (Map.Entry<String, OutboxEntry> waiting : this.pending.entrySet()) {
			OutboxEntry entry = waiting.getValue();
			if (awaits(entry, subject)) {
				waiting
					.setValue(new OutboxEntry(entry.event().forCustomer(customerId), 0, now, null, entry.recordedAt()));
				named++;
			}
		}
		return named;
	}

	@Override
	public synchronized void awaitCustomer(BillingSubject subject, Instant nextLookupAt, @Nullable String reason) {
		takeAppended();
		this.pending.replaceAll((identifier, entry) -> awaits(entry, subject)
				? new OutboxEntry(entry.event(), entry.attempts(), nextLookupAt, reason, entry.recordedAt()) : entry);
	}

	@Override
	public synchronized int deadLetterAwaiting(BillingSubject subject, String code, String message, Instant failedAt) {
		takeAppended();
		List<String> waiting = this.pending.values()
			.stream()
			.filter((entry) -> awaits(entry, subject))
			.map((entry) -> entry.event().identifier())
			.toList();
		waiting.forEach((identifier) -> deadLetter(identifier, code, message, failedAt));
		return waiting.size();
	}

	private static boolean awaits(OutboxEntry entry, BillingSubject subject) {
		return !entry.event().hasCustomer() && subject.equals(entry.event().subject());
	}

	@Override
	public synchronized int coalesce(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		takeAppended();
		List<UsageEvent> candidates = this.pending.values()
			.stream()
			.filter((entry) -> entry.attempts() == 0 && !entry.nextAttemptAt().isAfter(now)
					&& entry.event().hasCustomer() && eventNames.contains(entry.event().eventName()))
			.map(OutboxEntry::event)
			.toList();
		int covered = 0;
		for (Map.Entry<UsageEvent, List<UsageEvent>> merged : Coalescing.merge(candidates, identifiers).entrySet()) {
			// the merged event has waited since the first of its events was recorded
			Instant firstRecorded = merged.getValue()
				.stream()
				.map((event) -> Objects.requireNonNull(this.pending.remove(event.identifier())).recordedAt())
				.min(Instant::compareTo)
				.orElseThrow();
			UsageEvent into = merged.getKey();
			merged.getValue()
				.forEach((event) -> this.covered.put(event.identifier(), new Covered(event, into.identifier())));
			// due at once: in the pass that merged it, as the database outbox has it
			this.pending.put(into.identifier(), new OutboxEntry(into, 0, now, null, firstRecorded));
			covered += merged.getValue().size();
		}
		return covered;
	}

	@Override
	public synchronized void markDelivered(String identifier) {
		takeAppended();
		this.inDelivery.remove(identifier);
		OutboxEntry entry = this.pending.remove(identifier);
		if (entry != null) {
			this.delivered.put(identifier, new Delivered(entry.event(), this.clock.instant(), false));
		}
	}

	@Override
	public synchronized Optional<CancelledUsage> cancel(String identifier) {
		takeAppended();
		if (this.inDelivery.contains(identifier)) {
			throw new IllegalStateException(
					"Event '" + identifier + "' is being delivered now; cancel it once it is delivered");
		}
		OutboxEntry entry = this.pending.remove(identifier);
		if (entry != null) {
			return Optional.of(new CancelledUsage(entry.event(), null));
		}
		Covered part = this.covered.get(identifier);
		if (part != null) {
			return Optional.of(takeOutOfMerged(part));
		}
		for (DeadLetter dead : this.deadLetters) {
			if (dead.event().identifier().equals(identifier)) {
				this.deadLetters.remove(dead);
				this.deadLettersRecordedAt.remove(identifier);
				return Optional.of(new CancelledUsage(dead.event(), null));
			}
		}
		Delivered sent = this.delivered.get(identifier);
		if (sent == null || sent.cancelled()) {
			return Optional.empty();
		}
		this.delivered.put(identifier, new Delivered(sent.event(), sent.at(), true));
		return Optional.of(new CancelledUsage(sent.event(), sent.at()));
	}

	/**
	 * Takes an event out of the pending event it was merged into, cancelling that one
	 * when nothing is left of it.
	 */
	private CancelledUsage takeOutOfMerged(Covered part) {
		String identifier = part.event().identifier();
		OutboxEntry into = this.pending.get(part.into());
		if (into == null) {
			throw new IllegalStateException("Event '" + identifier + "' was sent merged with others in event '"
					+ part.into() + "', of which the provider cannot cancel a part; set "
					+ "metering.delivery.coalesce=false for usage that may be cancelled after delivery");
		}
		if (this.inDelivery.contains(part.into())) {
			throw new IllegalStateException(
					"Event '" + identifier + "' is being delivered now; cancel it once it is delivered");
		}
		UsageEvent merged = into.event();
		long left = merged.value() - part.event().value();
		if (left > 0) {
			this.pending.put(part.into(),
					new OutboxEntry(
							new UsageEvent(merged.identifier(), merged.eventName(), merged.customerId(), left,
									merged.timestamp(), merged.dimensions(), merged.subject()),
							into.attempts(), into.nextAttemptAt(), into.lastError(), into.recordedAt()));
		}
		else {
			this.pending.remove(part.into());
		}
		this.covered.remove(identifier);
		return new CancelledUsage(part.event(), null);
	}

	@Override
	public synchronized void restoreDelivered(String identifier) {
		this.delivered.computeIfPresent(identifier, (id, sent) -> new Delivered(sent.event(), sent.at(), false));
	}

	/** Forgets the delivered events, cancelled or not, delivered before the cutoff. */
	@Override
	public synchronized int purgeSettled(Instant cutoff) {
		int before = this.delivered.size();
		this.delivered.values().removeIf((sent) -> sent.at().isBefore(cutoff));
		return before - this.delivered.size();
	}

	@Override
	public synchronized void scheduleRetry(String identifier, Instant nextAttemptAt, @Nullable String error) {
		takeAppended();
		this.inDelivery.remove(identifier);
		this.pending.computeIfPresent(identifier, (id, entry) -> new OutboxEntry(entry.event(), entry.attempts() + 1,
				nextAttemptAt, error, entry.recordedAt()));
	}

	@Override
	public synchronized void hold(String identifier, Instant nextAttemptAt, String reason) {
		takeAppended();
		this.inDelivery.remove(identifier);
		this.pending.computeIfPresent(identifier, (id, entry) -> new OutboxEntry(entry.event(), entry.attempts(),
				nextAttemptAt, reason, entry.recordedAt()));
	}

	@Override
	public synchronized void deadLetter(String identifier, String code, @Nullable String message, Instant failedAt) {
		takeAppended();
		this.inDelivery.remove(identifier);
		OutboxEntry entry = this.pending.remove(identifier);
		if (entry != null) {
			this.deadLetters.add(new DeadLetter(entry.event(), code, message, entry.attempts() + 1, failedAt));
			this.deadLettersRecordedAt.put(identifier, entry.recordedAt());
		}
	}

	@Override
	public synchronized long pendingCount() {
		takeAppended();
		return this.pending.size() + this.appendedCount.get();
	}

	@Override
	public synchronized List<DeadLetter> deadLetters() {
		takeAppended();
		return List.copyOf(this.deadLetters);
	}

	@Override
	public synchronized OutboxBacklog backlog() {
		takeAppended();
		Map<String, Long> pendingByEventName = new HashMap<>();
		Instant oldest = null;
		long awaitingCustomer = 0;
		for (OutboxEntry entry : this.pending.values()) {
			pendingByEventName.merge(entry.event().eventName(), 1L, Long::sum);
			Instant recordedAt = entry.recordedAt();
			if (recordedAt != null && (oldest == null || recordedAt.isBefore(oldest))) {
				oldest = recordedAt;
			}
			if (!entry.event().hasCustomer()) {
				awaitingCustomer++;
			}
		}
		Map<String, Long> deadByEventName = new HashMap<>();
		this.deadLetters.forEach((dead) -> deadByEventName.merge(dead.event().eventName(), 1L, Long::sum));
		return new OutboxBacklog(this.pending.size(), pendingByEventName, this.deadLetters.size(), deadByEventName,
				oldest, awaitingCustomer);
	}

	@Override
	public synchronized boolean redrive(String identifier) {
		takeAppended();
		for (DeadLetter dead : this.deadLetters) {
			if (dead.event().identifier().equals(identifier)) {
				this.deadLetters.remove(dead);
				this.pending.put(identifier, new OutboxEntry(dead.event(), 0, Instant.EPOCH, null,
						this.deadLettersRecordedAt.remove(identifier)));
				return true;
			}
		}
		return false;
	}

	/** An event merged into a pending one. */
	private record Covered(UsageEvent event, String into) {
	}

	/** A delivered event, and whether it was cancelled since. */
	private record Delivered(UsageEvent event, Instant at, boolean cancelled) {
	}

}
