package dev.metering.limits;

/**
 * Tells who publishes a usage threshold: the first to claim it, once per organization,
 * limit key, threshold and billing period.
 */
@FunctionalInterface
interface ThresholdClaims {

	/**
	 * Claims a threshold of a key in a period.
	 * @return {@code true} for the first claim only
	 */
	boolean claim(String referenceId, String limitKey, BillingPeriod period, int percent);

}
