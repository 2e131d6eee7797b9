package dev.metering.billing;

import org.jspecify.annotations.Nullable;

import dev.metering.limits.BillingPeriod;
import dev.metering.limits.BillingPeriods;

/**
 * Billing periods that follow the provider's subscriptions while it answers, and fall
 * back to another kind (the calendar month) for a customer whose subscription it fails to
 * tell with nothing cached, as {@link LookupFailures} allows.
 */
final class OutageTolerantPeriods implements BillingPeriods {

	private final BillingPeriods subscriptions;

	private final BillingPeriods fallback;

	private final LookupFailures failures;

	/**
	 * @param subscriptions the periods of the provider's subscriptions, which may fail
	 * @param fallback the periods to go on with when they do
	 * @param failures decides whether to go on
	 */
	OutageTolerantPeriods(BillingPeriods subscriptions, BillingPeriods fallback, LookupFailures failures) {
		this.subscriptions = subscriptions;
		this.fallback = fallback;
		this.failures = failures;
	}

	@Override
	public BillingPeriod current(@Nullable String customerId) {
		try {
			return this.subscriptions.current(customerId);
		}
		catch (RuntimeException ex) {
			this.failures.goOnAfter("subscription", ex, () -> "the calendar-month period");
			return this.fallback.current(customerId);
		}
	}

}
