package dev.metering.lock;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * How an attempt to run a task under an {@link InstanceLock} went: it ran, or another
 * instance held the lock.
 *
 * @param ran whether the task ran
 * @param holder the instance that held the lock when the task did not run
 * @param heldUntil until when that instance holds it
 * @since 0.1.0
 */
public record LockTurn(boolean ran, @Nullable String holder, @Nullable Instant heldUntil) {

	private static final LockTurn RAN = new LockTurn(true, null, null);

	/** The task ran on this instance. */
	public static LockTurn ranHere() {
		return RAN;
	}

	/** The task did not run: another instance holds the lock. */
	public static LockTurn heldBy(String holder, Instant heldUntil) {
		return new LockTurn(false, holder, heldUntil);
	}

}
