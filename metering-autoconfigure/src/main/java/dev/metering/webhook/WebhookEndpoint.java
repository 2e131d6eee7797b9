package dev.metering.webhook;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

import dev.metering.provider.InvalidWebhookException;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.WebhookNotification;

/**
 * Receives one provider's webhooks on Spring MVC and answers as providers expect: 200
 * once an event is handled (or was handled before: a duplicate delivery is acknowledged
 * and left alone), 400 for a delivery the provider did not sign, or signed too long ago,
 * and 500 when handling failed, so that the provider delivers the event again. Refusals
 * are logged with their reason, never with the body or a secret.
 */
public final class WebhookEndpoint implements HandlerFunction<ServerResponse> {

	private static final Log logger = LogFactory.getLog(WebhookEndpoint.class);

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
	public WebhookEndpoint(String provider, ProviderWebhooks webhooks, WebhookReceipts receipts,
			ProviderEventHandler events) {
		this.provider = provider;
		this.webhooks = webhooks;
		this.receipts = receipts;
		this.events = events;
	}

	@Override
	public ServerResponse handle(ServerRequest request) throws Exception {
		byte[] body = request.body(byte[].class);
		WebhookNotification notification;
		try {
			notification = this.webhooks.verify((name) -> request.headers().firstHeader(name), body);
		}
		catch (InvalidWebhookException ex) {
			logger
				.warn("Refused a " + this.provider + " webhook delivery to " + request.path() + ": " + ex.getMessage());
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
					"The webhook is not signed with a signing secret of this endpoint, or was signed too long ago.");
			problem.setTitle("Invalid webhook signature");
			return ServerResponse.badRequest().body(problem);
		}
		if (!this.receipts.claim(this.provider, notification.id())) {
			if (logger.isDebugEnabled()) {
				logger.debug("Event " + notification.id() + " (" + notification.type() + ") from " + this.provider
						+ " was delivered again; it was handled before");
			}
			return ServerResponse.ok().build();
		}
		try {
			notification.event().ifPresent(this.events::handle);
		}
		catch (RuntimeException ex) {
			this.receipts.release(this.provider, notification.id());
			logger.warn("Could not handle event " + notification.id() + " (" + notification.type() + ") from "
					+ this.provider + "; answering 500 so that it is delivered again: " + ex.getMessage());
			return ServerResponse.status(HttpStatus.INTERNAL_SERVER_ERROR).build();
		}
		return ServerResponse.ok().build();
	}

}
