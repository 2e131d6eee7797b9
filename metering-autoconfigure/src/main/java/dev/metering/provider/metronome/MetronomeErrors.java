package dev.metering.provider.metronome;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.ProviderLookupException;

/**
 * Sorts Metronome's answers into delivered, retry later, hold back and refused for good,
 * as its status codes say: every 4xx is {@code {"message": ...}}; 401 and 403 refuse the
 * token, 404 an address that does not exist, 409 conflicts with a request in progress,
 * 429 asks to slow down and 5xx are Metronome's own failures.
 */
final class MetronomeErrors {

	private MetronomeErrors() {
	}

	/** What becomes of every event of a request Metronome answered as a whole. */
	static DeliveryOutcome outcome(MetronomeResponse response, Instant now) {
		int status = response.status();
		if (response.successful()) {
			return DeliveryOutcome.delivered();
		}
		if (holdsBack(status)) {
			return DeliveryOutcome.held(response.describe());
		}
		if (passing(status)) {
			return DeliveryOutcome.retry(response.describe(), retryAfter(response.retryAfter(), now));
		}
		return DeliveryOutcome.rejected("http_" + status,
				response.message().isEmpty() ? "no message" : response.message());
	}

	/**
	 * Whether Metronome refuses the request for what it is sent with, not what it
	 * carries: the token (401, 403) or the base URL (404). Fixing the configuration
	 * delivers what was held back; dead-lettering it would lose it to a typo.
	 */
	static boolean holdsBack(int status) {
		return status == 401 || status == 403 || status == 404;
	}

	/**
	 * Whether a failure may pass: a timeout, a conflict, a rate limit, a server error.
	 */
	static boolean passing(int status) {
		return status == 408 || status == 409 || status == 425 || status == 429 || status >= 500;
	}

	/**
	 * What kind of failure a read met: passing (408, 409, 425, 429, 5xx), or Metronome
	 * refusing the token (401, 403) or what was asked (the other 4xx).
	 */
	static ProviderLookupException.Kind lookupFailure(int status) {
		return ProviderLookupException.Kind.ofStatus(status, passing(status));
	}

	/**
	 * {@code Retry-After} in seconds or as an HTTP date; {@code null} when absent or
	 * unreadable.
	 */
	static Duration retryAfter(String header, Instant now) {
		if (header == null || header.isBlank()) {
			return null;
		}
		String value = header.trim();
		try {
			return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
		}
		catch (NumberFormatException ex) {
			// not seconds: an HTTP date
		}
		try {
			Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
			return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
