package dev.metering.provider.metronome;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An answer of Metronome's API, of any status.
 *
 * @param status the HTTP status
 * @param retryAfter the {@code Retry-After} header, or {@code null}
 * @param body the JSON body, a missing node when there was none
 * @param message Metronome's {@code message} of an error, the token masked; empty when it
 * gave none
 */
record MetronomeResponse(int status, @Nullable String retryAfter, JsonNode body, String message) {

	boolean successful() {
		return this.status >= 200 && this.status < 300;
	}

	/** The status and Metronome's message, for logs, retry reasons and errors. */
	String describe() {
		return this.status + ": " + (this.message.isEmpty() ? "no message" : this.message);
	}

}
