package dev.metering.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import dev.metering.outbox.OutboxBacklog;
import dev.metering.outbox.UndeliveredUsage;

/**
 * The health of delivery: {@code UP} while usage reaches the provider in time,
 * {@link #DEGRADED} when the oldest pending event has waited longer than the maximum delivery
 * lag (a provider outage, a revoked key) or dead letters wait to be re-driven, and
 * {@code DOWN} when the outbox cannot be read. Its details never hold a secret: the provider's
 * name, counts and ages only, and of a failure only its type.
 * <p>
 * {@code DEGRADED} is not among Actuator's default statuses, so on its own it leaves the
 * application's overall status and HTTP answer as they are: while the provider is down, calls
 * go on and their usage waits safely in the outbox, and instances should stay in their load
 * balancer.
 */
public final class MeteringHealthIndicator implements HealthIndicator {

	/** Usage is recorded, but it waits too long for the provider, or the provider refused some. */
	public static final Status DEGRADED = new Status("DEGRADED",
			"Usage waits longer than metering.health.max-delivery-lag, or dead letters wait to be re-driven");

	private static final Log logger = LogFactory.getLog(MeteringHealthIndicator.class);

	private final UndeliveredUsage outbox;

	private final String provider;

	private final Duration maxDeliveryLag;

	private final Clock clock;

	/**
	 * @param provider the name of the provider usage is delivered to
	 * @param maxDeliveryLag how long the oldest pending event may wait
	 */
	public MeteringHealthIndicator(UndeliveredUsage outbox, String provider, Duration maxDeliveryLag, Clock clock) {
		this.outbox = outbox;
		this.provider = provider;
		this.maxDeliveryLag = maxDeliveryLag;
		this.clock = clock;
	}

	@Override
	public Health health() {
		OutboxBacklog backlog;
		try {
			backlog = this.outbox.backlog();
		}
		catch (RuntimeException ex) {
			// the exception's message may name the database's address: keep it to the log
			logger.debug("Could not read the usage outbox", ex);
			return Health.down()
				.withDetail("provider", this.provider)
				.withDetail("error", ex.getClass().getName())
				.build();
		}
		Duration age = (backlog.oldestPendingRecordedAt() != null)
				? Duration.between(backlog.oldestPendingRecordedAt(), this.clock.instant()) : Duration.ZERO;
		boolean lagging = age.compareTo(this.maxDeliveryLag) > 0;
		Health.Builder health = (lagging || backlog.deadLetters() > 0) ? Health.status(DEGRADED) : Health.up();
		health.withDetail("provider", this.provider)
			.withDetail("pending", backlog.pending())
			.withDetail("oldestPendingAge", seconds(age))
			.withDetail("maxDeliveryLag", this.maxDeliveryLag.toString())
			.withDetail("deadLetters", backlog.deadLetters());
		if (lagging) {
			health.withDetail("lagging", "The oldest pending event was recorded at "
					+ backlog.oldestPendingRecordedAt().truncatedTo(ChronoUnit.SECONDS) + ", longer ago than "
					+ "metering.health.max-delivery-lag: is the provider reachable and the key valid?");
		}
		if (backlog.deadLetters() > 0) {
			health.withDetail("deadLettered", "The provider refused " + backlog.deadLetters()
					+ " event(s) for good: see the metering endpoint, fix the cause and re-drive them");
		}
		return health.build();
	}

	private static String seconds(Duration age) {
		return (age.isNegative() ? Duration.ZERO : age).truncatedTo(ChronoUnit.SECONDS).toString();
	}

}
