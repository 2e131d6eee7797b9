package dev.metering.provider;

import java.util.function.Function;

/**
 * A provider's webhooks as metering reads them: it checks that the provider signed a
 * delivery, recently, and tells what it is about.
 *
 * @since 0.1.0
 */
public interface ProviderWebhooks {

	/**
	 * Checks a delivery's signature and reads what it notifies.
	 * @param headers the delivery's header of a name, or {@code null} when it has none
	 * @param body the delivery's body, as it was signed
	 * @return the notification
	 * @throws InvalidWebhookException when the provider did not sign the body with one of
	 * the secrets, or signed it longer ago than the tolerance allows
	 */
	WebhookNotification verify(Function<String, String> headers, byte[] body);

}
