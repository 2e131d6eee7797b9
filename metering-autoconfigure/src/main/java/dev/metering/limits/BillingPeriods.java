package dev.metering.limits;

/**
 * Tells the current billing period of an organization or user.
 */
@FunctionalInterface
public interface BillingPeriods {

	BillingPeriod current(String referenceId);

}
