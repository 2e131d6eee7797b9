package dev.metering.provider.stripe;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.stripe.StripeClient;
import org.jspecify.annotations.Nullable;

import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.ProviderWebhooks;

/**
 * Makes metering's Stripe parts: the client, on an HTTP client that keeps Stripe's retry
 * advice, the meter provider that reads that advice, and the reader of Stripe's webhooks.
 *
 * @since 0.1.0
 */
public final class StripeMetering {

	private final StripeRetryHints retryHints = new StripeRetryHints();

	/**
	 * A client from the builder whose own retries are off whatever the builder set: the
	 * dispatcher retries, with the same identifier, as Stripe's retry advice says.
	 */
	public StripeClient client(StripeClient.StripeClientBuilder builder) {
		return builder.setMaxNetworkRetries(0).setHttpClient(this.retryHints).build();
	}

	/**
	 * The meter provider on a client.
	 * @param customerMetadataKey the customer metadata key that holds the organization or
	 * user ID
	 * @param unitAmounts per meter key, the price of one unit of the meter in the
	 * currency's smallest unit, which converts its prepaid balance, if any
	 * @param currencies per meter key, the currency of that price, if any
	 * @param priceIds per meter key, the Stripe price whose amount per unit is read when
	 * none is given, if any
	 * @param eventStream whether to send events through the v2 meter event stream, in
	 * batches
	 */
	public MeterProvider meterProvider(StripeClient client, String customerMetadataKey,
			Map<String, @Nullable BigDecimal> unitAmounts, Map<String, @Nullable String> currencies,
			Map<String, @Nullable String> priceIds, ProviderCaches caches, boolean eventStream, Clock clock) {
		Map<String, StripeMeter> meters = new HashMap<>();
		unitAmounts.forEach((key, unitAmount) -> meters.put(key,
				new StripeMeter(unitAmount, currencies.get(key), priceIds.get(key))));
		return new StripeMeterProvider(client, this.retryHints, customerMetadataKey, meters, caches, eventStream,
				clock);
	}

	/**
	 * Stripe's webhooks, from the event destinations that send to one path.
	 * @param client reads the error reports that thin events announce
	 * @param secrets the signing secret of each event destination sending to this
	 * application
	 * @param tolerance how old a signature may be; an older one is refused as a replay
	 * @param customerMetadataKey the customer metadata key that holds the organization or
	 * user ID
	 * @param clock tells how old a signature is
	 */
	public static ProviderWebhooks webhooks(StripeClient client, List<String> secrets, Duration tolerance,
			String customerMetadataKey, Clock clock) {
		return new StripeWebhooks(client, secrets, tolerance, customerMetadataKey, clock);
	}

}
