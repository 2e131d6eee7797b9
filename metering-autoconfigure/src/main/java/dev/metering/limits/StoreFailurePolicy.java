package dev.metering.limits;

/**
 * What a call does when it needs quota that the usage ledger cannot lease, because the
 * ledger's database cannot be reached.
 *
 * @since 0.1.0
 */
public enum StoreFailurePolicy {

	/**
	 * Admit it as a debt on what this instance holds, and write its usage back once the
	 * database answers again: nothing admitted is lost, but the limit does not hold
	 * meanwhile.
	 */
	ALLOW,
	/**
	 * Refuse it with a {@link dev.metering.MeteringUnavailableException}, before the
	 * model.
	 */
	REJECT

}
