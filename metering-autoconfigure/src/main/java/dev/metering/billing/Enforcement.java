package dev.metering.billing;

/**
 * What happens when a call would start over a plan limit.
 *
 * @since 0.1.0
 */
public enum Enforcement {

	/** Refuse with {@link dev.metering.UsageLimitExceededException}. */
	ENFORCE,
	/** Let it through and log a warning. */
	WARN,
	/** Do not check limits. */
	OFF

}
