package dev.metering.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import dev.metering.outbox.OutboxBacklog;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.provider.ProviderAccess;

/**
 * The health of metering: {@code UP} while usage reaches the provider in time,
 * {@link #DEGRADED} when the oldest pending event has waited longer than the maximum
 * delivery lag (a provider outage) or dead letters wait to be re-driven, and {@code DOWN}
 * when the provider refuses metering's credentials (calls that need a look-up are refused
 * until they are fixed) or the outbox cannot be read. Its details never hold a secret:
 * the provider's name, counts and ages, the provider's redacted answer to a refused
 * request, and of a failure only its type.
 * <p>
 * {@code DEGRADED} is not among Actuator's default statuses, so on its own it leaves the
 * application's overall status and HTTP answer as they are: while the provider is down,
 * calls go on and their usage waits safely in the outbox, and instances should stay in
 * their load balancer.
 *
 * @since 0.1.0
 */
public final class MeteringHealthIndicator implements HealthIndicator {

	/**
	 * Usage is recorded, but it waits too long for the provider, or the provider refused
	 * some.
	 */
	public static final Status DEGRADED = new Status("DEGRADED",
			"Usage waits longer than metering.health.max-delivery-lag, or dead letters wait to be re-driven");

	private static final Log logger = LogFactory.getLog(MeteringHealthIndicator.class);

	private final UndeliveredUsage outbox;

	private final String provider;

	private final ProviderAccess access;

	private final Duration maxDeliveryLag;

	private final Clock clock;

	/**
	 * @param provider the name of the provider usage is delivered to
	 * @param access whether that provider accepts metering's credentials
	 * @param maxDeliveryLag how long the oldest pending event may wait
	 */
	public MeteringHealthIndicator(UndeliveredUsage outbox, String provider, ProviderAccess access,
			Duration maxDeliveryLag, Clock clock) {
		this.outbox = outbox;
		this.provider = provider;
		this.access = access;
		this.maxDeliveryLag = maxDeliveryLag;
		this.clock = clock;
	}

	@Override
	public Health health() {
		Optional<ProviderAccess.Refusal> refusal = this.access.refusal();
		if (refusal.isPresent()) {
			return Health.down()
				.withDetail("provider", this.provider)
				.withDetail("refused", refusal.get().answer())
				.withDetail("refusedSince", refusal.get().since().truncatedTo(ChronoUnit.SECONDS).toString())
				.withDetail("action",
						"The provider refuses metering's requests: calls that need a look-up are "
								+ "refused with 503 and usage waits. Check the provider's API key or token")
				.build();
		}
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
		Instant oldest = backlog.oldestPendingRecordedAt();
		Duration age = (oldest != null) ? Duration.between(oldest, this.clock.instant()) : Duration.ZERO;
		boolean lagging = oldest != null && age.compareTo(this.maxDeliveryLag) > 0;
		Health.Builder health = (lagging || backlog.deadLetters() > 0) ? Health.status(DEGRADED) : Health.up();
		health.withDetail("provider", this.provider)
			.withDetail("pending", backlog.pending())
			.withDetail("oldestPendingAge", seconds(age))
			.withDetail("maxDeliveryLag", this.maxDeliveryLag.toString())
			.withDetail("deadLetters", backlog.deadLetters())
			.withDetail("awaitingCustomer", backlog.awaitingCustomer());
		if (lagging && oldest != null) {
			health.withDetail("lagging",
					"The oldest pending event was recorded at " + oldest.truncatedTo(ChronoUnit.SECONDS)
							+ ", longer ago than "
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
