package dev.metering.limits;

/**
 * Usage per organization, limit key and billing period, as counted by this application:
 * the source of truth for limits, ahead of the provider's lagging summaries.
 */
public interface UsageLedger {

	long used(String referenceId, String limitKey, BillingPeriod period);

	/**
	 * Admits a call iff usage plus the reservations of calls still in flight is below the
	 * limit, and if so reserves {@code estimate} for it.
	 * @return the reservation, or a refusal with the usage that caused it
	 */
	Admission tryReserve(String referenceId, String limitKey, BillingPeriod period, long limit, long estimate);

	/** Replaces a reservation by the usage the call really had (0 to just release it). */
	void settle(Admission.Reservation reservation, long actual);

	/** Adds usage that had no reservation. */
	void add(String referenceId, String limitKey, BillingPeriod period, long amount);

	/** The size of the last settled call on a key, as a guide for the next estimate. */
	long lastCallSize(String referenceId, String limitKey);

}
