package dev.metering.provider.stripe;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.ProviderLookupException;

/**
 * Stripe could not answer a read (usage, customer, subscription). The message names what
 * was asked and Stripe's answer, never the API key.
 */
class StripeProviderException extends ProviderLookupException {

	StripeProviderException(String message, @Nullable Throwable cause, Kind kind) {
		super(message, cause, kind);
	}

}
