package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.OutboxEntry;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * Settles an attempted event by the provider's answer: delivered, retried after a backoff
 * (or the wait the provider asked for, when longer), held back for the longest backoff
 * while the provider refuses everything, or dead-lettered when the provider refused it or
 * the attempts ran out. What became of each event is added to the observation of its
 * pass, current on the settling thread.
 */
final class OutcomeSettler {

	private static final Log logger = LogFactory.getLog(OutcomeSettler.class);

	private final DeliveryQueue queue;

	private final RetryBackoff backoff;

	private final ObservationRegistry observations;

	private final String provider;

	private final Clock clock;

	OutcomeSettler(DeliveryQueue queue, RetryBackoff backoff, ObservationRegistry observations, String provider,
			Clock clock) {
		this.queue = queue;
		this.backoff = backoff;
		this.observations = observations;
		this.provider = provider;
		this.clock = clock;
	}

	void settle(OutboxEntry entry, DeliveryOutcome outcome) {
		UsageEvent event = entry.event();
		DeliveryObservationContext pass = DeliveryObservationContext.current(this.observations);
		if (outcome instanceof DeliveryOutcome.Delivered) {
			this.queue.markDelivered(event.identifier());
			if (pass != null) {
				pass.delivered((entry.recordedAt() != null) ? Duration.between(entry.recordedAt(), this.clock.instant())
						: null);
			}
		}
		else if (outcome instanceof DeliveryOutcome.Retry retry) {
			int failures = entry.attempts() + 1;
			if (this.backoff.exhausted(failures)) {
				deadLetter(event, "retries_exhausted", retry.reason(), pass);
			}
			else {
				Duration delay = this.backoff.delayAfter(failures);
				if (retry.notSooner() != null && retry.notSooner().compareTo(delay) > 0) {
					delay = retry.notSooner();
				}
				retryLater(event, delay, retry.reason(), pass);
			}
		}
		else if (outcome instanceof DeliveryOutcome.Held held) {
			// the provider said why (and the provider logged it once for the request);
			// nothing
			// about this event is wrong, so its attempts never run out
			Instant next = this.clock.instant().plus(this.backoff.max());
			this.queue.hold(event.identifier(), next, held.reason());
			if (pass != null) {
				pass.retried();
			}
		}
		else if (outcome instanceof DeliveryOutcome.Rejected rejected) {
			deadLetter(event, rejected.code(), rejected.message(), pass);
		}
	}

	private void retryLater(UsageEvent event, Duration delay, @Nullable String reason,
			@Nullable DeliveryObservationContext pass) {
		Instant next = this.clock.instant().plus(delay);
		this.queue.scheduleRetry(event.identifier(), next, reason);
		if (pass != null) {
			pass.retried();
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Retrying usage event " + event.identifier() + " at " + next + ": " + reason);
		}
	}

	private void deadLetter(UsageEvent event, String code, @Nullable String message,
			@Nullable DeliveryObservationContext pass) {
		this.queue.deadLetter(event.identifier(), code, message, this.clock.instant());
		if (pass != null) {
			pass.deadLettered();
		}
		logger.warn("Usage event " + event.identifier() + " (" + event.eventName() + ", customer " + event.customerId()
				+ ", value " + event.value() + ") was refused by " + this.provider + ": " + code + ": " + message);
	}

}
