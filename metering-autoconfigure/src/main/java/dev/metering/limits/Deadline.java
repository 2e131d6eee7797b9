package dev.metering.limits;

import java.time.Duration;

/**
 * How long a call may still wait for reservations to settle, on the monotonic clock.
 */
final class Deadline {

	private final long at;

	private Deadline(long at) {
		this.at = at;
	}

	static Deadline after(Duration wait) {
		// saturated: a wait of years is as good as forever, and must not overflow
		long nanos = (wait.compareTo(Duration.ofDays(365)) > 0) ? Duration.ofDays(365).toNanos() : wait.toNanos();
		return new Deadline(System.nanoTime() + nanos);
	}

	/** Nanoseconds left, 0 or less when passed. */
	long remaining() {
		return this.at - System.nanoTime();
	}

}
