package dev.metering.provider.stripe;

/**
 * Stripe could not answer a read (usage, customer, subscription). The message names what was
 * asked and Stripe's answer, never the API key.
 */
public class StripeProviderException extends RuntimeException {

	StripeProviderException(String message, Throwable cause) {
		super(message, cause);
	}

}
