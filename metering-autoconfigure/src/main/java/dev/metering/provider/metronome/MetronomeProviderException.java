package dev.metering.provider.metronome;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.ProviderLookupException;

/**
 * Metronome could not answer a read (a customer, a contract, usage, balances). The
 * message names what was asked and Metronome's answer, never the API token.
 */
class MetronomeProviderException extends ProviderLookupException {

	MetronomeProviderException(String message, @Nullable Throwable cause, Kind kind) {
		super(message, cause, kind);
	}

}
