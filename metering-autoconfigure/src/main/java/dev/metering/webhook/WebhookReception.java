package dev.metering.webhook;

import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import dev.metering.provider.InvalidWebhookException;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.WebhookNotification;

/**
 * Receives one delivery of a provider's webhooks, whichever web stack carried it, and
 * tells how to answer as providers expect: 200 once an event is handled (or was handled
 * before: a duplicate delivery is acknowledged and left alone), 400 for a delivery the
 * provider did not sign, or signed too long ago, and 500 when handling failed, so that
 * the provider delivers the event again. Refusals are logged with their reason, never
 * with the body or a secret.
 */
final class WebhookReception {

	private static final Log logger = LogFactory.getLog(WebhookReception.class);

	private final String provider;

	private final ProviderWebhooks webhooks;

	private final WebhookReceipts receipts;

	private final ProviderEventHandler events;

	/**
	 * @param provider the provider's name: for logs, and to tell its event IDs from
	 * another's
	 * @param webhooks checks and reads the provider's deliveries
	 * @param receipts tells whether an event was handled before
	 * @param events does what an event asks
	 */
	WebhookReception(String provider, ProviderWebhooks webhooks, WebhookReceipts receipts,
			ProviderEventHandler events) {
		this.provider = provider;
		this.webhooks = webhooks;
		this.receipts = receipts;
		this.events = events;
	}

	/**
	 * Checks, claims and handles one delivery. Blocks: the receipts and the event's
	 * handling may reach the database.
	 * @param headers the delivery's headers, by name
	 * @param body the delivery's body, as signed
	 * @param path where it was delivered, for the log
	 */
	Answer receive(Function<String, String> headers, byte[] body, String path) {
		WebhookNotification notification;
		try {
			notification = this.webhooks.verify(headers::apply, body);
		}
		catch (InvalidWebhookException ex) {
			logger.warn("Refused a " + this.provider + " webhook delivery to " + path + ": " + ex.getMessage());
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"The webhook is not signed with a signing secret of this endpoint, or was signed too long ago.");
			problem.setTitle("Invalid webhook signature");
			return new Answer(HttpStatus.BAD_REQUEST, problem);
		}
		if (!this.receipts.claim(this.provider, notification.id())) {
			if (logger.isDebugEnabled()) {
				logger.debug("Event " + notification.id() + " (" + notification.type() + ") from " + this.provider
						+ " was delivered again; it was handled before");
			}
			return Answer.OK;
		}
		try {
			notification.event().ifPresent(this.events::handle);
		}
		catch (RuntimeException ex) {
			this.receipts.release(this.provider, notification.id());
			logger.warn("Could not handle event " + notification.id() + " (" + notification.type() + ") from "
					+ this.provider + "; answering 500 so that it is delivered again: " + ex.getMessage());
			return new Answer(HttpStatus.INTERNAL_SERVER_ERROR, null);
		}
		return Answer.OK;
	}

	/**
	 * How to answer a delivery.
	 *
	 * @param status the status
	 * @param problem the body, or {@code null} for none
	 */
	record Answer(HttpStatus status, @Nullable ProblemDetail problem) {

		static final Answer OK = new Answer(HttpStatus.OK, null);

	}

}
