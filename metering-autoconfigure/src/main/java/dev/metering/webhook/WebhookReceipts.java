package dev.metering.webhook;

/**
 * The webhook events already handled, so that an event delivered twice (providers deliver
 * at least once, and again when the first answer was late) is handled once.
 *
 * @since 0.1.0
 */
public interface WebhookReceipts {

	/**
	 * Claims an event for handling.
	 * @param provider the provider that sent it
	 * @param eventId the provider's ID of the event
	 * @return {@code true} the first time, {@code false} when it was claimed before
	 */
	boolean claim(String provider, String eventId);

	/**
	 * Gives a claim back after handling failed, so that the provider's next delivery is
	 * handled.
	 */
	void release(String provider, String eventId);

}
