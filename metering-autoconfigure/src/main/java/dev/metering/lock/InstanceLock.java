package dev.metering.lock;

import java.time.Duration;

/**
 * Lets one instance at a time, among those that share the metering database, do work that
 * every one of them is scheduled to do but that should be done once: each lock has a
 * name, is held by one instance, and only for a bounded time, so that an instance that
 * dies holding it stops no one for longer.
 *
 * @since 0.1.0
 */
public interface InstanceLock {

	/** For an application without the database: it is alone, so every task runs. */
	InstanceLock NONE = (name, hold, task) -> {
		task.run();
		return LockTurn.ranHere();
	};

	/**
	 * Runs {@code task} when no other instance holds the lock {@code name}, taking it for
	 * {@code hold}. When the task ends, the lock stays held until the hold lapses, so
	 * that the same work that another instance starts a little later (its clock or its
	 * schedule behind this one's) is skipped rather than done again; when the task fails,
	 * the lock is given back at once, so that another instance may do the work at its
	 * next turn. The instance that holds a lock may take it again.
	 * @param hold how long the lock is held at most: longer than the task takes, shorter
	 * than the time between two turns of the work
	 * @return whether the task ran, and when not, which instance holds the lock
	 */
	LockTurn runAlone(String name, Duration hold, Runnable task);

}
