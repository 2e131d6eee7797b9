package dev.metering.limits;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.metering.BalanceLowEvent;

/**
 * Usage per organization, limit key and billing period, as counted by this application:
 * the source of truth for limits, ahead of the provider's lagging summaries.
 * <p>
 * A call is admitted iff the usage settled plus the reservations of calls still in flight
 * is below the limit, so the last call admitted may overshoot the limit by its own size,
 * and by no more as long as it uses no more than it reserved.
 *
 * @since 0.1.0
 */
public interface UsageLedger {

	/**
	 * The one period of the keys of prepaid balances: a balance counts all usage since
	 * the organization's first grant, whatever its billing periods.
	 */
	BillingPeriod BALANCE_PERIOD = new BillingPeriod(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59.999Z"));

	/** What the keys of prepaid balances start with. */
	String BALANCE_KEY_PREFIX = "balance:";

	/**
	 * The key under which the usage of a prepaid meter is counted against its balance, in
	 * {@link #BALANCE_PERIOD}, beside the meter's plan limit. Its limit is the credit of
	 * the organization's grants; it publishes {@link BalanceLowEvent}s, not plan-limit
	 * thresholds.
	 * @param meterKey the meter's key
	 */
	static String balanceKey(String meterKey) {
		return BALANCE_KEY_PREFIX + meterKey;
	}

	/**
	 * The meter whose balance a key counts.
	 * @return the meter's key, or {@code null} when the key counts a plan limit
	 */
	static @Nullable String balanceMeter(String limitKey) {
		return limitKey.startsWith(BALANCE_KEY_PREFIX) ? limitKey.substring(BALANCE_KEY_PREFIX.length()) : null;
	}

	/** The usage settled on a key in a period. */
	long used(String referenceId, String limitKey, BillingPeriod period);

	/**
	 * Admits a call iff usage plus the reservations of calls still in flight is below the
	 * limit, and if so reserves {@code amount} for it. A call that would be refused only
	 * because of reservations (settled usage is under the limit) waits up to {@code wait}
	 * for them to settle, then decides on what they really used.
	 * @return the reservation, or a refusal with the settled usage that caused it
	 */
	Admission tryReserve(String referenceId, String limitKey, BillingPeriod period, long limit, long amount,
			Duration wait);

	/**
	 * Admits a call within the limit, for calls whose completion can be capped: reserves
	 * {@code amount} when usage plus the reservations in flight leave room for it, else
	 * what they leave when that is at least {@code minimum}; a call that would be refused
	 * only because of reservations waits up to {@code wait} for them to settle.
	 * <p>
	 * By default this looks at the settled usage alone and reserves through
	 * {@link #tryReserve}: a ledger that tracks reservations should do better.
	 * @return the reservation (its amount tells what was granted), or a refusal with the
	 * settled usage that caused it
	 */
	default Admission tryReserveWithin(String referenceId, String limitKey, BillingPeriod period, long limit,
			long amount, long minimum, Duration wait) {
		long room = limit - used(referenceId, limitKey, period);
		if (room < minimum || room <= 0) {
			return new Admission.Refused(limit - room, limit, period);
		}
		return tryReserve(referenceId, limitKey, period, limit, Math.min(amount, room), wait);
	}

	/** Replaces a reservation by the usage the call really had (0 to just release it). */
	void settle(Admission.Reservation reservation, long actual);

	/**
	 * Adds usage that had no reservation.
	 * @param limit the limit on the key, for its thresholds; {@link Long#MAX_VALUE} when
	 * the key is unlimited
	 */
	void add(String referenceId, String limitKey, BillingPeriod period, long limit, long amount);

	/**
	 * Replaces the usage settled on a key in a period, so that the next call is admitted
	 * on {@code used}: for test fixtures (the {@code metering-test} module's
	 * {@code UsageFixtures}) and corrections by hand. Calls in flight settle on top of
	 * it. No threshold is published for the value set; the next usage counted on the key
	 * publishes the thresholds it has reached.
	 * @param used the usage settled, at least 0
	 * @throws UnsupportedOperationException by default, for a ledger that cannot
	 */
	default void setUsed(String referenceId, String limitKey, BillingPeriod period, long used) {
		throw new UnsupportedOperationException(getClass().getName() + " cannot set usage");
	}

	/**
	 * Takes usage that was counted off a key in a period, never below zero, as when a
	 * recorded event is cancelled: the next call is admitted on what is left. Calls in
	 * flight settle on top of it; no threshold is published for the lower usage.
	 * <p>
	 * By default this sets the usage to what is left through {@link #setUsed}, which a
	 * call settled in between may be lost to: a ledger that can should do it in one step.
	 * @param amount the usage to give back, at least 0
	 * @return the usage settled on the key afterwards
	 * @throws UnsupportedOperationException by default, for a ledger that cannot set
	 * usage
	 */
	default long giveBack(String referenceId, String limitKey, BillingPeriod period, long amount) {
		InMemoryUsageLedger.requireNotNegative(amount, "amount");
		long left = Math.max(used(referenceId, limitKey, period) - amount, 0);
		setUsed(referenceId, limitKey, period, left);
		return left;
	}

}
