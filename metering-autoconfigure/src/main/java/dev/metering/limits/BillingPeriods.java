package dev.metering.limits;

/**
 * Tells the current billing period of a customer.
 */
@FunctionalInterface
public interface BillingPeriods {

	BillingPeriod current(String customerId);

}
