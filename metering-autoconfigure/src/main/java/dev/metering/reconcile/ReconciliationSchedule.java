package dev.metering.reconcile;

import java.time.ZoneOffset;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Reconciles the last closed window on a cron schedule in UTC, on a thread of its own
 * ({@code metering-reconcile-}), so that it needs no {@code @EnableScheduling} of the
 * application's.
 */
public final class ReconciliationSchedule implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ReconciliationSchedule.class);

	private final UsageReconciler reconciler;

	private final String cron;

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	private volatile boolean running;

	/**
	 * @param cron when to reconcile, a Spring cron expression read in UTC
	 */
	public ReconciliationSchedule(UsageReconciler reconciler, String cron) {
		this.reconciler = reconciler;
		this.cron = cron;
		this.scheduler.setThreadNamePrefix("metering-reconcile-");
		this.scheduler.setDaemon(true);
	}

	@Override
	public void start() {
		this.scheduler.initialize();
		this.scheduler.schedule(this::reconcile, new CronTrigger(this.cron, ZoneOffset.UTC));
		this.running = true;
	}

	private void reconcile() {
		try {
			this.reconciler.reconcileLastWindow();
		}
		catch (RuntimeException ex) {
			// the outbox's database is down, say: the next run tries again
			logger.error("Usage reconciliation failed", ex);
		}
	}

	@Override
	public void stop() {
		this.scheduler.shutdown();
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
