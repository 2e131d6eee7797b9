package dev.metering.limits;

/**
 * The ledger's answer to a call that wants to start.
 *
 * @since 0.1.0
 */
public sealed interface Admission {

	record Reservation(String referenceId, String limitKey, BillingPeriod period, long amount) implements Admission {
	}

	record Refused(long used, long limit, BillingPeriod period) implements Admission {
	}

}
