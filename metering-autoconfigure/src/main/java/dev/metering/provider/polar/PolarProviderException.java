package dev.metering.provider.polar;

/**
 * Polar could not answer a read (usage, customer, subscription). The message names what was
 * asked and Polar's answer, never the access token.
 */
public class PolarProviderException extends RuntimeException {

	PolarProviderException(String message, Throwable cause) {
		super(message, cause);
	}

}
