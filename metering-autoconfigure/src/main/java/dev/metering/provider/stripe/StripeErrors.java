package dev.metering.provider.stripe;

import java.util.Optional;
import java.util.regex.Pattern;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import org.jspecify.annotations.Nullable;

import org.springframework.lang.Contract;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.ProviderLookupException;

/**
 * Sorts Stripe's answers to a meter event into delivered, retry later, and refused for
 * good.
 */
final class StripeErrors {

	private static final String DUPLICATE_IDENTIFIER = "An event already exists with identifier";

	private static final Pattern SECRET = Pattern.compile("(sk|rk)_(live|test)_[A-Za-z0-9*]+");

	private StripeErrors() {
	}

	static DeliveryOutcome outcome(StripeException ex, Optional<Boolean> shouldRetry) {
		String message = message(ex);
		if (message != null && message.contains(DUPLICATE_IDENTIFIER)) {
			// Stripe has this identifier already: an earlier attempt got through
			return DeliveryOutcome.delivered();
		}
		String reason = describe(ex, message);
		if (shouldRetry.isPresent()) {
			return shouldRetry.get() ? DeliveryOutcome.retry(reason) : DeliveryOutcome.rejected(code(ex), message);
		}
		Integer status = ex.getStatusCode();
		boolean passing = ex instanceof ApiConnectionException || ex instanceof RateLimitException || status == null
				|| status == 409 || status == 429 || status >= 500;
		return passing ? DeliveryOutcome.retry(reason) : DeliveryOutcome.rejected(code(ex), message);
	}

	/**
	 * What kind of failure a read met: passing (a connection error, 409, 429, 5xx), or
	 * Stripe refusing the key (401, 403) or what was asked (the other 4xx).
	 */
	static ProviderLookupException.Kind lookupFailure(StripeException ex) {
		Integer status = ex.getStatusCode();
		boolean passing = ex instanceof ApiConnectionException || ex instanceof RateLimitException || status == null
				|| status < 400 || status == 409 || status == 429 || status >= 500;
		return ProviderLookupException.Kind.ofStatus((status != null) ? status : 0, passing);
	}

	/** Stripe's own message, without the SDK's decorations, and never a key. */
	static @Nullable String message(StripeException ex) {
		boolean stripeSaid = ex.getStripeError() != null && ex.getStripeError().getMessage() != null;
		return redacted(stripeSaid ? ex.getStripeError().getMessage() : ex.getMessage());
	}

	/** Stripe's error code, else a code made from the HTTP status. */
	static String code(StripeException ex) {
		if (ex.getCode() != null) {
			return ex.getCode();
		}
		return (ex.getStatusCode() != null) ? "http_" + ex.getStatusCode() : ex.getClass().getSimpleName();
	}

	static String describe(StripeException ex, @Nullable String message) {
		return ((ex.getStatusCode() != null) ? ex.getStatusCode() + " " : "") + code(ex) + ": " + message;
	}

	/** Stripe masks keys in its messages; this makes sure of it. */
	@Contract("!null -> !null")
	static @Nullable String redacted(@Nullable String message) {
		return (message != null) ? SECRET.matcher(message).replaceAll("$1_$2_******") : null;
	}

}
