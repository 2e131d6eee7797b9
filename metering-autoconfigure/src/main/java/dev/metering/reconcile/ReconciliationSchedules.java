package dev.metering.reconcile;

import java.time.Clock;

import org.springframework.context.SmartLifecycle;

import dev.metering.lock.InstanceLock;

/**
 * Makes the schedule that reconciles the last closed window of delivered usage.
 *
 * @since 0.1.0
 */
public final class ReconciliationSchedules {

	private ReconciliationSchedules() {
	}

	/**
	 * Reconciles the last closed window on a cron schedule in UTC, on a thread of its
	 * own, once for all the instances that share the lock.
	 * @param cron when to reconcile, a Spring cron expression read in UTC
	 * @param lock lets one instance of those sharing the outbox reconcile a run
	 * @param clock tells how long the lock is held: until halfway to the next run
	 */
	public static SmartLifecycle onCron(UsageReconciler reconciler, String cron, InstanceLock lock, Clock clock) {
		return new ReconciliationSchedule(reconciler, cron, lock, clock);
	}

}
