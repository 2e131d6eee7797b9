package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.metering.lock.InstanceLock;
import dev.metering.outbox.DeliveredUsage;
import dev.metering.provider.MeterProvider;
import dev.metering.reconcile.ReconciliationObservationConvention;
import dev.metering.reconcile.ReconciliationSchedule;
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
@EnableConfigurationProperties(MeteringProperties.class)
public final class MeteringReconciliationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(DeliveredUsage.class)
	UsageReconciler meteringUsageReconciler(DeliveredUsage outbox, MeterProvider provider,
			MeteringProperties properties, MeteringObservations observations,
			ObjectProvider<ReconciliationObservationConvention> convention, ObjectProvider<Clock> clock) {
		UsageReconciler reconciler = new UsageReconciler(outbox, provider, properties.meterDefinitions(),
				properties.reconcile().window(), observations.registry(), clock.getIfUnique(Clock::systemUTC));
		convention.ifUnique(reconciler::setObservationConvention);
		return reconciler;
	}

	@Bean
	@ConditionalOnBooleanProperty(MeteringProperties.PREFIX + ".reconcile.enabled")
	ReconciliationSchedule meteringReconciliationSchedule(ObjectProvider<UsageReconciler> reconciler,
			MeteringProperties properties, ObjectProvider<InstanceLock> lock, ObjectProvider<Clock> clock) {
		UsageReconciler available = reconciler.getIfAvailable();
		if (available == null) {
			throw new IllegalStateException("metering.reconcile.enabled=true needs the outbox in the database (a "
					+ "DataSource, with metering.outbox.store auto or jdbc), which remembers what it delivered for "
					+ "metering.outbox.retention; the outbox in memory forgets an event once it is delivered");
		}
		return new ReconciliationSchedule(available, properties.reconcile().cron(),
				lock.getIfAvailable(() -> InstanceLock.NONE), clock.getIfUnique(Clock::systemUTC));
	}

}
