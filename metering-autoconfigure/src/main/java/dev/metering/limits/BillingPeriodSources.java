package dev.metering.limits;

import java.time.Clock;

import dev.metering.provider.MeterProvider;

/**
 * Makes the billing periods metering counts limits in: calendar months, and the periods
 * of the customers' subscriptions at the provider.
 *
 * @since 0.1.0
 */
public final class BillingPeriodSources {

	private BillingPeriodSources() {
	}

	/**
	 * Calendar months in UTC, for customers with no subscription period.
	 */
	public static BillingPeriods calendarMonths(Clock clock) {
		return new CalendarMonthPeriods(clock);
	}

	/**
	 * The current period of the customer's active subscription at the provider, or else
	 * the fallback's.
	 */
	public static BillingPeriods subscriptions(MeterProvider provider, BillingPeriods fallback, Clock clock) {
		return new SubscriptionPeriods(provider, fallback, clock);
	}

}
