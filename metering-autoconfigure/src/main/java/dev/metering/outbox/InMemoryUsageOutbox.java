package dev.metering.outbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.metering.provider.UsageEvent;

/**
 * Outbox kept in memory: fast, and lost with the process. Hands out due entries in the
 * order they were recorded.
 */
public final class InMemoryUsageOutbox implements UsageOutbox, DeliveryQueue, UndeliveredUsage {

	private final Map<String, OutboxEntry> pending = new LinkedHashMap<>();

	private final List<DeadLetter> deadLetters = new ArrayList<>();

	private final Clock clock;

	/**
	 * @param clock tells when an event was appended, which is when its first attempt is due
	 */
	public InMemoryUsageOutbox(Clock clock) {
		this.clock = clock;
	}

	/** Due at once: an event stamped ahead is not held back until its time comes. */
	@Override
	public synchronized void append(UsageEvent event) {
		this.pending.put(event.identifier(), new OutboxEntry(event, 0, this.clock.instant(), null));
	}

	@Override
	public synchronized List<OutboxEntry> due(Instant now, int max) {
		// entries are kept in the order they were recorded: stop at max instead of sorting all
		List<OutboxEntry> due = new ArrayList<>(Math.min(max, this.pending.size()));
		for (OutboxEntry entry : this.pending.values()) {
			if (due.size() == max) {
				break;
			}
			if (!entry.nextAttemptAt().isAfter(now)) {
				due.add(entry);
			}
		}
		return due;
	}

	@Override
	public synchronized int coalesce(Set<String> eventNames, Instant now, Supplier<String> identifiers) {
		List<UsageEvent> candidates = this.pending.values()
			.stream()
			.filter((entry) -> entry.attempts() == 0 && !entry.nextAttemptAt().isAfter(now)
					&& eventNames.contains(entry.event().eventName()))
			.map(OutboxEntry::event)
			.toList();
		int covered = 0;
		for (Map.Entry<UsageEvent, List<UsageEvent>> merged : Coalescing.merge(candidates, identifiers).entrySet()) {
			merged.getValue().forEach((event) -> this.pending.remove(event.identifier()));
			append(merged.getKey());
			covered += merged.getValue().size();
		}
		return covered;
	}

	@Override
	public synchronized void markDelivered(String identifier) {
		this.pending.remove(identifier);
	}

	@Override
	public synchronized void scheduleRetry(String identifier, Instant nextAttemptAt, String error) {
		this.pending.computeIfPresent(identifier,
				(id, entry) -> new OutboxEntry(entry.event(), entry.attempts() + 1, nextAttemptAt, error));
	}

	@Override
	public synchronized void hold(String identifier, Instant nextAttemptAt, String reason) {
		this.pending.computeIfPresent(identifier,
				(id, entry) -> new OutboxEntry(entry.event(), entry.attempts(), nextAttemptAt, reason));
	}

	@Override
	public synchronized void deadLetter(String identifier, String code, String message, Instant failedAt) {
		OutboxEntry entry = this.pending.remove(identifier);
		if (entry != null) {
			this.deadLetters.add(new DeadLetter(entry.event(), code, message, entry.attempts() + 1, failedAt));
		}
	}

	@Override
	public synchronized long pendingCount() {
		return this.pending.size();
	}

	@Override
	public synchronized List<DeadLetter> deadLetters() {
		return List.copyOf(this.deadLetters);
	}

	@Override
	public synchronized boolean redrive(String identifier) {
		for (DeadLetter dead : this.deadLetters) {
			if (dead.event().identifier().equals(identifier)) {
				this.deadLetters.remove(dead);
				this.pending.put(identifier, new OutboxEntry(dead.event(), 0, Instant.EPOCH, null));
				return true;
			}
		}
		return false;
	}

}
