package dev.metering.outbox;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes idempotency identifiers: a random prefix drawn once per instance, then a counter.
 * Unique across instances and restarts without a secure random draw per event, which
 * would cost more than the rest of recording.
 */
final class EventIdentifiers {

	private final String prefix;

	private final AtomicLong sequence = new AtomicLong();

	EventIdentifiers() {
		byte[] random = new byte[10];
		new SecureRandom().nextBytes(random);
		this.prefix = "usage_" + HexFormat.of().formatHex(random) + "_";
	}

	/** The prefix and the next number, in decimal: one string built, none in between. */
	String next() {
		return this.prefix + this.sequence.incrementAndGet();
	}

}
