package dev.metering.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.support.CronExpression;

import dev.metering.lock.InstanceLock;
import dev.metering.outbox.DeliveredUsage;
import dev.metering.provider.MeterProvider;
import dev.metering.reconcile.ReconciliationObservationConvention;
import dev.metering.reconcile.ReconciliationSchedules;
import dev.metering.reconcile.UsageReconciler;

/**
 * Auto-configuration of reconciliation, which needs an outbox that remembers what it
 * delivered (the one in the database does, for {@code metering.outbox.retention}), and of
 * its schedule when {@code metering.reconcile.enabled} is set: on every instance, which
 * reconciles a run when it holds the database's reconciliation lock.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { MeteringAutoConfiguration.class, JdbcOutboxAutoConfiguration.class,
		MeteringMetricsAutoConfiguration.class })
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties({ MeteringProperties.class, MeteringReconcileProperties.class,
		MeteringOutboxProperties.class })
public final class MeteringReconciliationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(DeliveredUsage.class)
	UsageReconciler meteringUsageReconciler(DeliveredUsage outbox, MeterProvider provider,
			MeteringProperties properties, MeteringReconcileProperties reconcile, MeteringOutboxProperties retention,
			MeteringObservations observations, ObjectProvider<ReconciliationObservationConvention> convention,
			ObjectProvider<Clock> clock) {
		UsageReconciler reconciler = new UsageReconciler(outbox, provider, MeterDefinitions.of(properties),
				window(reconcile, retention), observations.registry(), clock.getIfUnique(Clock::systemUTC));
		convention.ifUnique(reconciler::setObservationConvention);
		return reconciler;
	}

	/**
	 * The window reconciled: whole minutes, as provider summaries are, and no longer than
	 * the outbox keeps what it delivered.
	 */
	private static Duration window(MeteringReconcileProperties reconcile, MeteringOutboxProperties outbox) {
		String name = MeteringReconcileProperties.PREFIX + ".window";
		Duration window = PropertyChecks.positive(name, reconcile.window());
		if (window.toSeconds() % 60 != 0 || window.toNanosPart() != 0) {
			throw new InvalidMeteringPropertyException(name, window,
					"must be whole minutes, as provider summaries are, was " + window);
		}
		Duration retention = PropertyChecks.retention(outbox);
		if (window.compareTo(retention) > 0) {
			throw new InvalidMeteringPropertyException(name, window,
					"must not be longer than metering.outbox.retention (" + retention
							+ "), which keeps what was delivered, was " + window);
		}
		return window;
	}

	@Bean
	@ConditionalOnBooleanProperty(MeteringReconcileProperties.PREFIX + ".enabled")
	SmartLifecycle meteringReconciliationSchedule(ObjectProvider<UsageReconciler> reconciler,
			MeteringReconcileProperties reconcile, ObjectProvider<InstanceLock> lock, ObjectProvider<Clock> clock) {
		UsageReconciler available = reconciler.getIfAvailable();
		if (available == null) {
			throw new IllegalStateException("metering.reconcile.enabled=true needs the outbox in the database (a "
					+ "DataSource, with metering.outbox.store auto or jdbc), which remembers what it delivered for "
					+ "metering.outbox.retention; the outbox in memory forgets an event once it is delivered");
		}
		if (!CronExpression.isValidExpression(reconcile.cron())) {
			throw new InvalidMeteringPropertyException(MeteringReconcileProperties.PREFIX + ".cron", reconcile.cron(),
					"is not a cron expression (second minute hour day month weekday), was '" + reconcile.cron() + "'");
		}
		return ReconciliationSchedules.onCron(available, reconcile.cron(), lock.getIfAvailable(() -> InstanceLock.NONE),
				clock.getIfUnique(Clock::systemUTC));
	}

}
