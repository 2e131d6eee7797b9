package dev.metering.billing;

/**
 * What happens to a ChatClient call whose possible completion would cross its plan limit.
 *
 * @since 0.1.0
 */
public enum OnLimit {

	/** Admit it iff the limit is not yet reached; the last call admitted may cross it. */
	REFUSE,
	/**
	 * Admit it with its max-tokens option lowered to what the budget left pays for, and
	 * refuse it only when that is below {@code metering.limits.min-completion-tokens}.
	 */
	CAP

}
