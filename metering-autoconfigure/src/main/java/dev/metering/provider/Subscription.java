package dev.metering.provider;

import java.time.Instant;
import java.util.List;

/**
 * A customer's active subscription at the provider.
 *
 * @param priceIds the prices of its items
 * @param periodStart start of the current billing period
 * @param periodEnd end of the current billing period
 * @since 0.1.0
 */
public record Subscription(String customerId, List<String> priceIds, Instant periodStart, Instant periodEnd) {

	public Subscription {
		priceIds = List.copyOf(priceIds);
	}

}
