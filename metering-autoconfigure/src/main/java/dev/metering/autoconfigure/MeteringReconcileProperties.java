package dev.metering.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the reconciliation of delivered usage with the provider's own totals.
 *
 * @param enabled Whether to reconcile the last closed window on a schedule. The metering
 * Actuator endpoint reconciles on demand either way.
 * @param cron When to reconcile, as a cron expression in UTC. By default a quarter of an
 * hour after midnight, when the provider has counted yesterday's last events.
 * @param window The window reconciled: the last one of this length, counted in UTC from
 * midnight, that has closed. Whole minutes, at most metering.outbox.retention.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringReconcileProperties.PREFIX)
public record MeteringReconcileProperties(@DefaultValue("false") boolean enabled,
		@DefaultValue("0 15 0 * * *") String cron, @DefaultValue("1d") Duration window) {

	static final String PREFIX = "metering.reconcile";

}
