package dev.metering.provider.stripe;

import org.springframework.cache.Cache;

/**
 * The caches of Stripe reads: event summaries, customers by reference ID, and active
 * subscriptions by customer.
 */
public record StripeCaches(Cache usage, Cache customers, Cache subscriptions) {

	public static final String USAGE = "metering.stripe.usage";

	public static final String CUSTOMERS = "metering.stripe.customers";

	public static final String SUBSCRIPTIONS = "metering.stripe.subscriptions";

}
