package dev.metering.provider.polar;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.ProviderLookupException;

/**
 * Polar could not answer a read (usage, customer, subscription). The message names what
 * was asked and Polar's answer, never the access token.
 */
class PolarProviderException extends ProviderLookupException {

	PolarProviderException(String message, @Nullable Throwable cause, Kind kind) {
		super(message, cause, kind);
	}

}
