package dev.metering.limits;

import java.util.Comparator;

/**
 * What a ledger counts usage by: organization, limit key and billing period.
 */
record LedgerKey(String referenceId, String limitKey, BillingPeriod period) {

	/** The order in which a flush takes keys, the same on every instance. */
	static final Comparator<LedgerKey> ORDER = Comparator.comparing(LedgerKey::referenceId)
		.thenComparing(LedgerKey::limitKey)
		.thenComparing((key) -> key.period().start())
		.thenComparing((key) -> key.period().end());

	static LedgerKey of(Admission.Reservation reservation) {
		return new LedgerKey(reservation.referenceId(), reservation.limitKey(), reservation.period());
	}

	Admission.Reservation reservation(long amount) {
		return new Admission.Reservation(this.referenceId, this.limitKey, this.period, amount);
	}

}
