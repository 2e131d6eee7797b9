package dev.metering.limits;

/**
 * What a ledger counts usage by: organization, limit key and billing period.
 */
record LedgerKey(String referenceId, String limitKey, BillingPeriod period) {

	static LedgerKey of(Admission.Reservation reservation) {
		return new LedgerKey(reservation.referenceId(), reservation.limitKey(), reservation.period());
	}

	Admission.Reservation reservation(long amount) {
		return new Admission.Reservation(this.referenceId, this.limitKey, this.period, amount);
	}

}
