package dev.metering.limits;

import dev.metering.provider.MeterProvider;

/**
 * The current period of the customer's active subscription at the provider, or else the
 * fallback's (a calendar month).
 */
public final class SubscriptionPeriods implements BillingPeriods {

	private final MeterProvider provider;

	private final BillingPeriods fallback;

	public SubscriptionPeriods(MeterProvider provider, BillingPeriods fallback) {
		this.provider = provider;
		this.fallback = fallback;
	}

	@Override
	public BillingPeriod current(String customerId) {
		if (customerId == null) {
			return this.fallback.current(null);
		}
		return this.provider.activeSubscription(customerId)
			.map((subscription) -> new BillingPeriod(subscription.periodStart(), subscription.periodEnd()))
			.orElseGet(() -> this.fallback.current(customerId));
	}

}
