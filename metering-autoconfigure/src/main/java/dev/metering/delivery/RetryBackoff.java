package dev.metering.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter, capped, for a bounded number of attempts.
 */
record RetryBackoff(Duration initial, Duration max, int maxAttempts) {

	/** Delay before the attempt that follows {@code failedAttempts} failures. */
	public Duration delayAfter(int failedAttempts) {
		long ceiling = this.initial.toMillis() << Math.min(failedAttempts - 1, 30);
		long capped = Math.min(Math.max(ceiling, this.initial.toMillis()), this.max.toMillis());
		return Duration.ofMillis(ThreadLocalRandom.current().nextLong(capped / 2, capped + 1));
	}

	public boolean exhausted(int failedAttempts) {
		return failedAttempts >= this.maxAttempts;
	}

}
