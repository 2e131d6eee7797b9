package dev.metering.provider.stripe;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.exception.TemporarySessionExpiredException;
import com.stripe.model.v2.billing.MeterEventSession;
import com.stripe.net.RequestOptions;
import com.stripe.param.v2.billing.MeterEventStreamCreateParams;
import org.jspecify.annotations.Nullable;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * Stripe's high-throughput meter event stream (API v2): batches of events, authenticated
 * by a short-lived session token that is renewed before it expires, and at once when
 * Stripe says it has. Stripe answers a batch as a whole: when it refuses one for an
 * invalid event, the batch is sent again in halves, down to single events, so that only
 * what Stripe refuses stays refused.
 */
final class StripeMeterEventStream {

	/** Most events Stripe takes in one stream request. */
	static final int MAX_BATCH = 100;

	private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(1);

	private static final String SESSION_EXPIRED = "billing_meter_event_session_expired";

	/**
	 * What Stripe answers a request with an invalid parameter: here, an event it refuses.
	 */
	private static final int INVALID_REQUEST = 400;

	private final StripeClient client;

	private final StripeRetryHints retryHints;

	private final Clock clock;

	private @Nullable MeterEventSession session;

	StripeMeterEventStream(StripeClient client, StripeRetryHints retryHints, Clock clock) {
		this.client = client;
		this.retryHints = retryHints;
		this.clock = clock;
	}

	/** Sends the events; outcomes in their order. */
	List<DeliveryOutcome> send(List<UsageEvent> events) {
		List<DeliveryOutcome> outcomes = new ArrayList<>(events.size());
		send(events, outcomes);
		return outcomes;
	}

	private void send(List<UsageEvent> events, List<DeliveryOutcome> outcomes) {
		try {
			streamRenewingAnExpiredSession(params(events));
			outcomes.addAll(Collections.nCopies(events.size(), DeliveryOutcome.delivered()));
		}
		catch (StripeException ex) {
			Optional<Boolean> shouldRetry = this.retryHints.lastShouldRetry();
			if (events.size() > 1 && refusesSomeEvent(ex, shouldRetry)) {
				int half = events.size() / 2;
				send(events.subList(0, half), outcomes);
				send(events.subList(half, events.size()), outcomes);
			}
			else {
				outcomes.addAll(Collections.nCopies(events.size(), StripeErrors.outcome(ex, shouldRetry)));
			}
		}
	}

	/**
	 * Whether Stripe refused the request for what some of its events say. Anything else
	 * is the same for every event of the batch (a bad key or missing permission, a rate
	 * limit, an outage), and sending them again in parts would only ask Stripe more
	 * often.
	 */
	private static boolean refusesSomeEvent(StripeException ex, Optional<Boolean> shouldRetry) {
		Integer status = ex.getStatusCode();
		return status != null && status == INVALID_REQUEST && !shouldRetry.orElse(false);
	}

	private static MeterEventStreamCreateParams params(List<UsageEvent> events) {
		MeterEventStreamCreateParams.Builder params = MeterEventStreamCreateParams.builder();
		events.forEach((event) -> params.addEvent(MeterEventStreamCreateParams.Event.builder()
			.setEventName(event.eventName())
			.setIdentifier(event.identifier())
			.putAllPayload(StripeMeterProvider.payload(event))
			.setTimestamp(event.timestamp())
			.build()));
		return params.build();
	}

	private void streamRenewingAnExpiredSession(MeterEventStreamCreateParams params) throws StripeException {
		try {
			stream(params, false);
		}
		catch (StripeException ex) {
			if (!expired(ex)) {
				throw ex;
			}
			stream(params, true);
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
