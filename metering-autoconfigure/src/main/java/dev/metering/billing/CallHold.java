package dev.metering.billing;

import org.jspecify.annotations.Nullable;

import dev.metering.limits.Admission;

/**
 * What a call holds while it runs: its reservation under the plan limit of its meter and
 * its reservation on the meter's prepaid balance, at least one of them.
 *
 * @param limit the reservation under the plan limit, or {@code null}
 * @param balance the reservation on the prepaid balance, or {@code null}
 */
record CallHold(Admission.@Nullable Reservation limit, Admission.@Nullable Reservation balance) {

	/** What the call may use: the least of what each reservation holds. */
	long amount() {
		long amount = Long.MAX_VALUE;
		if (this.limit != null) {
			amount = this.limit.amount();
		}
		if (this.balance != null) {
			amount = Math.min(amount, this.balance.amount());
		}
		return amount;
	}

}
