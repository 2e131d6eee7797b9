package dev.metering.provider.stripe;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.exception.TemporarySessionExpiredException;
import com.stripe.model.v2.billing.MeterEventSession;
import com.stripe.net.RequestOptions;
import com.stripe.param.v2.billing.MeterEventStreamCreateParams;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * Stripe's high-throughput meter event stream (API v2): batches of events, authenticated by a
 * short-lived session token that is renewed before it expires, and at once when Stripe says
 * it has.
 */
final class StripeMeterEventStream {

	/** Most events Stripe takes in one stream request. */
	static final int MAX_BATCH = 100;

	private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(1);

	private static final String SESSION_EXPIRED = "billing_meter_event_session_expired";

	private final StripeClient client;

	private final StripeRetryHints retryHints;

	private final Clock clock;

	private MeterEventSession session;

	StripeMeterEventStream(StripeClient client, StripeRetryHints retryHints, Clock clock) {
		this.client = client;
		this.retryHints = retryHints;
		this.clock = clock;
	}

	List<DeliveryOutcome> send(List<UsageEvent> events) {
		MeterEventStreamCreateParams.Builder params = MeterEventStreamCreateParams.builder();
		events.forEach((event) -> params.addEvent(MeterEventStreamCreateParams.Event.builder()
			.setEventName(event.eventName())
			.setIdentifier(event.identifier())
			.putPayload("stripe_customer_id", event.customerId())
			.putPayload("value", Long.toString(event.value()))
			.setTimestamp(event.timestamp())
			.build()));
		DeliveryOutcome outcome;
		try {
			stream(params.build(), false);
			outcome = DeliveryOutcome.delivered();
		}
		catch (StripeException ex) {
			outcome = expired(ex) ? retryWithNewSession(params.build())
					: StripeErrors.outcome(ex, this.retryHints.lastShouldRetry());
		}
		return Collections.nCopies(events.size(), outcome);
	}

	private DeliveryOutcome retryWithNewSession(MeterEventStreamCreateParams params) {
		try {
			stream(params, true);
			return DeliveryOutcome.delivered();
		}
		catch (StripeException ex) {
			return StripeErrors.outcome(ex, this.retryHints.lastShouldRetry());
		}
	}

	private void stream(MeterEventStreamCreateParams params, boolean renew) throws StripeException {
		RequestOptions session = RequestOptions.builder().setApiKey(sessionToken(renew)).build();
		this.client.v2().billing().meterEventStream().create(params, session);
	}

	private synchronized String sessionToken(boolean renew) throws StripeException {
		if (renew || this.session == null
				|| !this.clock.instant().isBefore(this.session.getExpiresAt().minus(RENEW_BEFORE_EXPIRY))) {
			this.session = this.client.v2().billing().meterEventSession().create();
		}
		return this.session.getAuthenticationToken();
	}

	private static boolean expired(StripeException ex) {
		return ex instanceof TemporarySessionExpiredException || SESSION_EXPIRED.equals(ex.getCode())
				|| Optional.ofNullable(ex.getStripeError())
					.map((error) -> SESSION_EXPIRED.equals(error.getCode()))
					.orElse(false);
	}

}
