package dev.metering.outbox;

import java.util.List;

/**
 * The outbox as an operator sees it: how much usage waits for the provider, and the dead
 * letters the provider refused, which can be put back in line once the cause is fixed.
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

}
