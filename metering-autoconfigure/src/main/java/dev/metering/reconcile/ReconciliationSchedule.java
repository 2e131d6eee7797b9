package dev.metering.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.scheduling.support.CronTrigger;

import dev.metering.lock.InstanceLock;
import dev.metering.lock.LockTurn;

/**
 * Reconciles the last closed window on a cron schedule in UTC, on a thread of its own
 * ({@code metering-reconcile-}), so that it needs no {@code @EnableScheduling} of the
 * application's. Every instance runs the schedule; the one that takes the
 * reconciliation's lock reconciles, and the others skip that run, so that the provider is
 * read once and each drift reported once.
 */
final class ReconciliationSchedule implements SmartLifecycle {

	/** The name of the lock the instances reconcile under. */
	static final String LOCK = "reconcile";

	private static final Log logger = LogFactory.getLog(ReconciliationSchedule.class);

	private final UsageReconciler reconciler;

	private final String cron;

	private final CronExpression runs;

	private final InstanceLock lock;

	private final Clock clock;

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	private volatile boolean running;

	/**
	 * @param cron when to reconcile, a Spring cron expression read in UTC
	 * @param lock lets one instance of those sharing the outbox reconcile a run
	 * @param clock tells how long the lock is held: until halfway to the next run
	 */
	ReconciliationSchedule(UsageReconciler reconciler, String cron, InstanceLock lock, Clock clock) {
		this.reconciler = reconciler;
		this.cron = cron;
		this.runs = CronExpression.parse(cron);
		this.lock = lock;
		this.clock = clock;
		this.scheduler.setThreadNamePrefix("metering-reconcile-");
		this.scheduler.setDaemon(true);
	}

	@Override
	public void start() {
		this.scheduler.initialize();
		this.scheduler.schedule(this::reconcileOnSchedule, new CronTrigger(this.cron, ZoneOffset.UTC));
		this.running = true;
	}

	/**
	 * What each run of the schedule does: reconciles the last closed window, unless
	 * another instance holds the lock. The lock is held until halfway to the next run, 12
	 * hours with the default daily schedule: an instance whose run starts a little later,
	 * however soon this one was done, finds it held and skips, and an instance that died
	 * holding it stops no one at the next run. A reconciliation that fails gives it back
	 * at once.
	 * @return whether this instance reconciled
	 */
	boolean reconcileOnSchedule() {
		Instant now = this.clock.instant();
		Instant next = Objects.requireNonNull(this.runs.next(now.atZone(ZoneOffset.UTC)), "the next run").toInstant();
		LockTurn turn;
		try {
			turn = this.lock.runAlone(LOCK, Duration.between(now, next).dividedBy(2),
					this.reconciler::reconcileLastWindow);
		}
		catch (RuntimeException ex) {
			// the outbox's database is down, say: the next run tries again
			logger.error("Usage reconciliation failed", ex);
			return false;
		}
		if (!turn.ran()) {
			logger.info("Skipped the scheduled usage reconciliation: instance " + turn.holder()
					+ " holds its lock until " + turn.heldUntil());
		}
		return turn.ran();
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
