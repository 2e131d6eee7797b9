package dev.metering.limits;

import java.time.Duration;

/**
 * How long a call may still wait for reservations to settle, on the monotonic clock.
 */
final class Deadline {

	/** The longest wait: a wait of years is as good as forever, and must not overflow. */
	private static final Duration LONGEST = Duration.ofDays(365);

	private final long at;

	private Deadline(long at) {
		this.at = at;
	}

	static Deadline after(Duration wait) {
		long nanos = ((wait.compareTo(LONGEST) > 0) ? LONGEST : wait).toNanos();
		return new Deadline(System.nanoTime() + nanos);
	}

	/** Nanoseconds left, 0 or less when passed. */
	long remaining() {
		return this.at - System.nanoTime();
	}

}
