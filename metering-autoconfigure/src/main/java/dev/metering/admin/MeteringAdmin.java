package dev.metering.admin;

import java.util.List;

import dev.metering.outbox.DeadLetter;
import dev.metering.outbox.OutboxBacklog;
import dev.metering.outbox.UndeliveredUsage;

/**
 * Operations on what could not be delivered: list the dead letters, and send them again
 * once the cause is fixed (a customer created, a meter re-activated, a key rotated). A
 * re-driven event keeps its identifier, so the provider still counts it once.
 *
 * @since 0.1.0
 */
public final class MeteringAdmin {

	private final UndeliveredUsage outbox;

	public MeteringAdmin(UndeliveredUsage outbox) {
		this.outbox = outbox;
	}

	public List<DeadLetter> deadLetters() {
		return this.outbox.deadLetters();
	}

	/**
	 * One page of the dead letters, oldest first.
	 * @param offset how many to skip
	 * @param limit the most to answer
	 */
	public List<DeadLetter> deadLetters(int offset, int limit) {
		return this.outbox.deadLetters(offset, limit);
	}

	/**
	 * What waits: pending events and dead letters per event name, and the oldest pending.
	 */
	public OutboxBacklog backlog() {
		return this.outbox.backlog();
	}

	/**
	 * Puts one dead letter back in line for delivery.
	 * @return whether there was a dead letter with that identifier
	 */
	public boolean redrive(String identifier) {
		return this.outbox.redrive(identifier);
	}

	/** Puts every dead letter back in line; returns how many. */
	public int redriveAll() {
		return (int) this.outbox.deadLetters()
			.stream()
			.filter((dead) -> this.outbox.redrive(dead.event().identifier()))
			.count();
	}

	/** Events recorded and not yet delivered nor dead-lettered. */
	public long pendingCount() {
		return this.outbox.pendingCount();
	}

}
