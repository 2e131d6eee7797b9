package dev.metering.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.outbox.OutboxBacklog;
import dev.metering.outbox.UndeliveredUsage;

/**
 * Gauges of what waits in the outbox: {@code metering.outbox.pending},
 * {@code metering.outbox.dead-letters} and {@code metering.outbox.oldest-pending.age}.
 * The three are read together, at most once a second, so that a scrape costs the database
 * one query; a read that fails leaves them at NaN.
 */
final class OutboxMetrics implements MeterBinder {

	private static final Log logger = LogFactory.getLog(OutboxMetrics.class);

	private static final Duration FRESH_FOR = Duration.ofSeconds(1);

	private final UndeliveredUsage outbox;

	private final Clock clock;

	private Instant readAt = Instant.MIN;

	private @Nullable OutboxBacklog backlog;

	OutboxMetrics(UndeliveredUsage outbox, Clock clock) {
		this.outbox = outbox;
		this.clock = clock;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("metering.outbox.pending", this, gauge((backlog) -> backlog.pending()))
			.description("Usage events recorded and not yet delivered nor dead-lettered")
			.baseUnit("events")
			.register(registry);
		Gauge.builder("metering.outbox.awaiting-customer", this, gauge((backlog) -> backlog.awaitingCustomer()))
			.description("Pending usage events of calls let through while the provider could not name their "
					+ "customer, waiting until it does")
			.baseUnit("events")
			.register(registry);
		Gauge.builder("metering.outbox.dead-letters", this, gauge((backlog) -> backlog.deadLetters()))
			.description("Usage events the provider refused for good, waiting to be re-driven")
			.baseUnit("events")
			.register(registry);
		TimeGauge
			.builder("metering.outbox.oldest-pending.age", this, TimeUnit.MILLISECONDS, gauge(this::oldestAgeMillis))
			.description("How long ago the oldest usage event still pending was recorded; 0 when none is")
			.register(registry);
	}

	private static ToDoubleFunction<OutboxMetrics> gauge(ToDoubleFunction<OutboxBacklog> value) {
		return (metrics) -> {
			OutboxBacklog backlog = metrics.backlog();
			return (backlog != null) ? value.applyAsDouble(backlog) : Double.NaN;
		};
	}

	private double oldestAgeMillis(OutboxBacklog backlog) {
		Instant oldest = backlog.oldestPendingRecordedAt();
		return (oldest != null) ? Math.max(0, Duration.between(oldest, this.clock.instant()).toMillis()) : 0;
	}

	private synchronized @Nullable OutboxBacklog backlog() {
		Instant now = this.clock.instant();
		if (Duration.between(this.readAt, now).compareTo(FRESH_FOR) >= 0) {
			this.readAt = now;
			try {
				this.backlog = this.outbox.backlog();
			}
			catch (RuntimeException ex) {
				this.backlog = null;
				logger.debug("Could not read the usage outbox's backlog", ex);
			}
		}
		return this.backlog;
	}

}
