package dev.metering.provider;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;

/**
 * How the providers spoken to over plain HTTP (Polar, Metronome) fail, read from the
 * status and the {@code Retry-After} header of their answer.
 * <p>
 * Used by the provider implementations spoken to over plain HTTP, the built-in ones and
 * an application's own.
 *
 * @since 0.1.0
 */
public final class HttpStatusFailures {

	private HttpStatusFailures() {
	}

	/**
	 * Whether a failure may pass: a timeout, a conflict, a rate limit, a server error.
	 */
	public static boolean passing(int status) {
		return status == 408 || status == 409 || status == 425 || status == 429 || status >= 500;
	}

	/**
	 * What kind of failure a read met: passing (408, 409, 425, 429, 5xx), or the provider
	 * refusing the credentials (401, 403) or what was asked (the other 4xx).
	 */
	public static ProviderLookupException.Kind lookupFailure(int status) {
		return ProviderLookupException.Kind.ofStatus(status, passing(status));
	}

	/**
	 * {@code Retry-After} in seconds or as an HTTP date; {@code null} when absent or
	 * unreadable.
	 */
	public static @Nullable Duration retryAfter(@Nullable String header, Instant now) {
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
