package dev.metering.provider.stripe;

import java.util.Optional;

import com.stripe.exception.ApiConnectionException;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;

/**
 * The SDK's HTTP client, keeping the {@code Stripe-Should-Retry} answer of the last
 * request on each thread: the SDK reads that header only for its own retries, which are
 * off, since the dispatcher decides.
 */
final class StripeRetryHints extends HttpURLConnectionClient {

	private final ThreadLocal<Boolean> shouldRetry = new ThreadLocal<>();

	@Override
	public StripeResponse request(StripeRequest request) throws ApiConnectionException {
		this.shouldRetry.remove();
		StripeResponse response = super.request(request);
		response.headers()
			.firstValue("Stripe-Should-Retry")
			.map(Boolean::parseBoolean)
			.ifPresent(this.shouldRetry::set);
		return response;
	}

	/**
	 * What Stripe said of retrying the last request made on this thread, if it said
	 * anything.
	 */
	Optional<Boolean> lastShouldRetry() {
		return Optional.ofNullable(this.shouldRetry.get());
	}

}
