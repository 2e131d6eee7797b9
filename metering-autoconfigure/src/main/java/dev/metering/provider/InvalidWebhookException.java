package dev.metering.provider;

/**
 * A webhook delivery that its provider did not sign, or signed too long ago to be
 * anything but a replay. The message says which, and never quotes the body, the signature
 * or a secret.
 *
 * @since 0.1.0
 */
public class InvalidWebhookException extends RuntimeException {

	public InvalidWebhookException(String message) {
		super(message);
	}

}
