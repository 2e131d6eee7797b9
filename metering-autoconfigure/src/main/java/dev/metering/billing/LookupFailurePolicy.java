package dev.metering.billing;

/**
 * What a call does when the provider cannot tell its customer or subscription and nothing
 * is cached.
 *
 * @since 0.1.0
 */
public enum LookupFailurePolicy {

	/**
	 * Run it on the configured or default plan and the calendar-month period, with a
	 * warning.
	 */
	ALLOW,
	/** Fail it with the provider's error. */
	REJECT

}
