package dev.metering.limits;

import java.time.Instant;

/**
 * The usage an instance recorded, as its outbox stored it: where the ledger finds the
 * usage that an instance which died had settled but not written back yet. A call's usage
 * is settled in the ledger before it is recorded, so all that a write-back missed is
 * stamped at or after it.
 */
@FunctionalInterface
interface RecordedUsage {

	/** Nothing is known: an instance that dies loses what it had not written back. */
	RecordedUsage NONE = (holder, referenceId, limitKey, period, from) -> 0;

	/**
	 * The usage recorded by one instance for an organization on the meters that feed a
	 * limit key, stamped within a period from a time on.
	 * @param holder the instance that recorded it
	 * @param from the earliest time stamped that counts, within the period
	 */
	long since(String holder, String referenceId, String limitKey, BillingPeriod period, Instant from);

}
