package dev.metering.outbox;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outbox as an operator sees it: how much usage waits for the provider, and the dead
 * letters the provider refused, which can be put back in line once the cause is fixed.
 *
 * @since 0.1.0
 */
public interface UndeliveredUsage {

	/** Events recorded and not yet delivered nor dead-lettered. */
	long pendingCount();

	List<DeadLetter> deadLetters();

	/**
	 * Puts a dead letter back in line for delivery, under its identifier.
	 * @return whether there was such a dead letter
	 */
	boolean redrive(String identifier);

	/**
	 * One page of the dead letters, oldest first.
	 * @param offset how many to skip
	 * @param limit the most to answer
	 */
	default List<DeadLetter> deadLetters(int offset, int limit) {
		List<DeadLetter> all = deadLetters();
		return all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
	}

	/**
	 * What waits, in one read. By default without the age of the oldest pending event,
	 * which an outbox that keeps when events were recorded tells.
	 */
	default OutboxBacklog backlog() {
		List<DeadLetter> dead = deadLetters();
		return new OutboxBacklog(pendingCount(), Map.of(), dead.size(),
				dead.stream()
					.collect(Collectors.groupingBy((letter) -> letter.event().eventName(), Collectors.counting())),
				null);
	}

}
