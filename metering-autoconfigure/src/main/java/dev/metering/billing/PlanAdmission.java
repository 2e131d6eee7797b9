package dev.metering.billing;

import java.math.BigInteger;
import java.time.Duration;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.InsufficientBalanceException;
import dev.metering.UsageLimitExceededException;
import dev.metering.UsageStatus;
import dev.metering.limits.Admission;
import dev.metering.limits.BillingPeriod;
import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;
import dev.metering.pricing.ModelPrice;
import dev.metering.pricing.PriceList;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.TokenKind;
import dev.metering.provider.UsageEvent;

/**
 * Admits work against a subject's plan limit before it starts, and against its prepaid
 * balance when the meter is prepaid, settles what it really used afterwards, and tells
 * where the subject stands, all against the usage ledger: of the subject's current
 * billing period for limits, of all time for balances. What admission finds (the limit, a
 * wait for calls in flight, the limit used up) is added to the admission observed on the
 * admitting thread.
 */
final class PlanAdmission {

	private static final Log logger = LogFactory.getLog(PlanAdmission.class);

	private final PlanCatalog plans;

	private final BillingPeriods periods;

	private final UsageLedger ledger;

	private final Enforcement enforcement;

	private final ObservationRegistry observations;

	private final long completionEstimate;

	private final Duration reservationWait;

	private final PriceList prices;

	private final OnLimit onLimit;

	private final int minCompletionTokens;

	private final PrepaidBalances balances;

	/**
	 * @param observations where the admission observed on the admitting thread is found
	 * @param completionEstimate tokens reserved for a completion whose request sets no
	 * cap
	 * @param reservationWait how long a call refused only for the reservations of calls
	 * in flight waits for them to settle
	 * @param prices the prices of credits meters
	 * @param onLimit whether a call that would cross the limit is refused or capped
	 * @param minCompletionTokens the fewest completion tokens a capped call is let
	 * through with
	 * @param balances the balances of prepaid meters
	 */
	PlanAdmission(PlanCatalog plans, BillingPeriods periods, UsageLedger ledger, Enforcement enforcement,
			ObservationRegistry observations, long completionEstimate, Duration reservationWait, PriceList prices,
			OnLimit onLimit, int minCompletionTokens, PrepaidBalances balances) {
		this.plans = plans;
		this.periods = periods;
		this.ledger = ledger;
		this.enforcement = enforcement;
		this.observations = observations;
		this.completionEstimate = completionEstimate;
		this.reservationWait = reservationWait;
		this.prices = prices;
		this.onLimit = onLimit;
		this.minCompletionTokens = minCompletionTokens;
		this.balances = balances;
	}

	/**
	 * Reserves room for a call under the plan limit of the meter it feeds and, when the
	 * meter is prepaid, on its balance: both must pass. A capped call is let through with
	 * what both leave, the plan limit's reservation staying as large as it was granted
	 * until the call settles.
	 * @param estimate what the call may use
	 * @param price the price of the model the call asks for, on a credits meter; else
	 * {@code null}
	 * @return what the call holds, or {@code null} when no limit or balance applies or
	 * enforcement lets the call through without a reservation
	 * @throws UsageLimitExceededException when the limit is used up and enforced
	 * @throws InsufficientBalanceException when the balance cannot pay for the call and
	 * limits are enforced
	 */
	@Nullable CallHold admit(Account account, MeterDefinition meter, CallEstimate estimate, @Nullable ModelPrice price) {
		if (this.enforcement == Enforcement.OFF) {
			return null;
		}
		String limitKey = meter.limitKey();
		Long limit = (limitKey != null) ? this.plans.limits(account.plan()).limits().get(limitKey) : null;
		boolean prepaid = this.balances.prepaid(meter);
		if (limit == null && !prepaid) {
			return null;
		}
		// a call's size is known only after it ran: reserve all it may use, so that calls
		// in parallel cannot all slip under the limit
		long reserved = reservationOf(meter, estimate, price);
		// with cap, a call is admitted within the limit, with no less than the minimum
		// completion
		long minimum = capping(meter, price) ? reservationOf(meter,
				estimate.withMaxTokens(
						(int) Math.min(this.minCompletionTokens, estimate.completionTokens(this.completionEstimate))),
				price) : -1;
		Admission.Reservation underLimit = (limitKey != null && limit != null)
				? admitUnderLimit(account, limitKey, limit, reserved, minimum) : null;
		Admission.Reservation onBalance = null;
		if (prepaid) {
			try {
				onBalance = admitOnBalance(account, meter, (underLimit != null) ? underLimit.amount() : reserved,
						minimum);
			}
			catch (RuntimeException ex) {
				if (underLimit != null) {
					this.ledger.settle(underLimit, 0);
				}
				throw ex;
			}
		}
		return (underLimit != null || onBalance != null) ? new CallHold(underLimit, onBalance) : null;
	}

	private Admission.@Nullable Reservation admitUnderLimit(Account account, String limitKey, long limit, long reserved,
			long minimum) {
		AdmissionObservationContext.limit(this.observations, limitKey);
		String referenceId = account.referenceId();
		BillingPeriod period = this.periods.current(account.customerId());
		Admission admission = reserveOrWait(referenceId, limitKey, period, limit, reserved, minimum);
		if (admission instanceof Admission.Reservation reservation) {
			return reservation;
		}
		Admission.Refused refused = (Admission.Refused) admission;
		AdmissionObservationContext.overLimit(this.observations);
		if (this.enforcement == Enforcement.ENFORCE) {
			throw new UsageLimitExceededException(limitKey, limit, refused.used(), period.end());
		}
		logger.warn("'" + referenceId + "' is over its '" + limitKey + "' limit (" + refused.used() + " of " + limit
				+ "); letting the call through because metering.enforcement=warn");
		return null;
	}

	private Admission.@Nullable Reservation admitOnBalance(Account account, MeterDefinition meter, long reserved,
			long minimum) {
		String balanceKey = UsageLedger.balanceKey(meter.key());
		AdmissionObservationContext.limit(this.observations, balanceKey);
		String referenceId = account.referenceId();
		long credit = this.balances.credit(referenceId, account, meter.key());
		Admission admission = reserveOrWait(referenceId, balanceKey, UsageLedger.BALANCE_PERIOD, credit, reserved,
				minimum);
		if (admission instanceof Admission.Reservation reservation) {
			return reservation;
		}
		AdmissionObservationContext.overLimit(this.observations);
		if (this.enforcement == Enforcement.ENFORCE) {
			throw new InsufficientBalanceException(this.balances.balance(referenceId, account, meter.key()));
		}
		logger.warn("'" + referenceId + "' has used up its balance on meter '" + meter.key()
				+ "'; letting the call through because metering.enforcement=warn");
		return null;
	}

	/**
	 * Reserves, and when refused only for the reservations of calls in flight, waits for
	 * them to settle and decides on what they use.
	 */
	private Admission reserveOrWait(String referenceId, String limitKey, BillingPeriod period, long limit,
			long reserved, long minimum) {
		Admission admission = reserve(referenceId, limitKey, period, limit, reserved, minimum, Duration.ZERO);
		if (admission instanceof Admission.Refused refused && refused.used() + Math.max(minimum, 1) <= limit
				&& !this.reservationWait.isZero()) {
			admission = reserve(referenceId, limitKey, period, limit, reserved, minimum, this.reservationWait);
			AdmissionObservationContext.waitedForReservations(this.observations,
					admission instanceof Admission.Reservation);
		}
		return admission;
	}

	/**
	 * @param minimum the least a capped call is admitted with, or -1 for a call that is
	 * not capped
	 */
	private Admission reserve(String referenceId, String limitKey, BillingPeriod period, long limit, long reserved,
			long minimum, Duration wait) {
		if (minimum < 0) {
			return this.ledger.tryReserve(referenceId, limitKey, period, limit, reserved, wait);
		}
		return this.ledger.tryReserveWithin(referenceId, limitKey, period, limit, reserved, minimum, wait);
	}

	/**
	 * Whether calls on a meter are capped: with on-limit cap, where the completion costs
	 * something.
	 */
	private boolean capping(MeterDefinition meter, @Nullable ModelPrice price) {
		if (this.onLimit != OnLimit.CAP || this.enforcement != Enforcement.ENFORCE) {
			return false;
		}
		return (price != null) ? price.completionTokenAtMost(meter.tokens()) > 0 : meter.tokens().countsCompletion();
	}

	/**
	 * The completion tokens a capped call's reservation pays for, when it was granted
	 * less than the call may use.
	 * @param hold what {@link #admit} reserved, or {@code null}
	 * @return the cap to lower the call's max-tokens option to, or {@code null} to leave
	 * it
	 */
	@Nullable Integer completionCap(MeterDefinition meter, CallEstimate estimate, @Nullable ModelPrice price,
			@Nullable CallHold hold) {
		if (hold == null || !capping(meter, price) || hold.amount() >= reservationOf(meter, estimate, price)) {
			return null;
		}
		long affordable;
		if (price == null) {
			affordable = hold.amount() - (meter.tokens().countsPrompt() ? estimate.promptTokens() : 0);
		}
		else {
			// only for a call capped: exact whatever the sizes
			BigInteger promptUnits = BigInteger.valueOf(estimate.promptTokens())
				.multiply(BigInteger.valueOf(price.promptTokenAtMost(meter.tokens())));
			affordable = BigInteger.valueOf(hold.amount())
				.multiply(BigInteger.valueOf(this.prices.unitsPerCredit()))
				.subtract(promptUnits)
				.divide(BigInteger.valueOf(price.completionTokenAtMost(meter.tokens())))
				.min(BigInteger.valueOf(Integer.MAX_VALUE))
				.longValue();
		}
		return (int) Math.max(Math.min(affordable, Integer.MAX_VALUE), 0);
	}

	/**
	 * What a call may use on a meter, in its unit: tokens, or credits (rounded up) at the
	 * price of the model asked for, the prompt at its dearest type of prompt token and
	 * the completion at its dearest type of completion token.
	 */
	private long reservationOf(MeterDefinition meter, CallEstimate estimate, @Nullable ModelPrice price) {
		if (price == null) {
			return estimate.tokens(this.completionEstimate);
		}
		TokenKind kind = meter.tokens();
		long units = Math.addExact(Math.multiplyExact(estimate.promptTokens(), price.promptTokenAtMost(kind)), Math
			.multiplyExact(estimate.completionTokens(this.completionEstimate), price.completionTokenAtMost(kind)));
		long unitsPerCredit = this.prices.unitsPerCredit();
		return units / unitsPerCredit + ((units % unitsPerCredit == 0) ? 0 : 1);
	}

	/**
	 * Replaces what a call holds by what it used (0 releases it), and counts what it used
	 * against its limit or balance where it held nothing there: the meter has no limit in
	 * the plan, or enforcement let the call through without a reservation.
	 * @param hold what {@link #admit} reserved, or {@code null}
	 */
	void settle(Account account, MeterDefinition meter, @Nullable CallHold hold, long used) {
		Admission.Reservation underLimit = (hold != null) ? hold.limit() : null;
		if (underLimit != null) {
			this.ledger.settle(underLimit, used);
		}
		else {
			chargeLimit(account, meter, used);
		}
		Admission.Reservation onBalance = (hold != null) ? hold.balance() : null;
		if (onBalance != null) {
			this.ledger.settle(onBalance, used);
		}
		else {
			chargeBalance(account, meter, used);
		}
	}

	/**
	 * Counts usage that had no reservation against the meter's limit, if it has one, and
	 * its balance, if it is prepaid.
	 */
	void charge(Account account, MeterDefinition meter, long used) {
		settle(account, meter, null, used);
	}

	private void chargeLimit(Account account, MeterDefinition meter, long used) {
		String limitKey = meter.limitKey();
		if (limitKey != null && used > 0) {
			Long limit = this.plans.limits(account.plan()).limits().get(limitKey);
			this.ledger.add(account.referenceId(), limitKey, this.periods.current(account.customerId()),
					(limit != null) ? limit : Long.MAX_VALUE, used);
		}
	}

	private void chargeBalance(Account account, MeterDefinition meter, long used) {
		if (this.balances.prepaid(meter) && used > 0) {
			String referenceId = account.referenceId();
			this.ledger.add(referenceId, UsageLedger.balanceKey(meter.key()), UsageLedger.BALANCE_PERIOD,
					this.balances.credit(referenceId, account, meter.key()), used);
		}
	}

	/**
	 * Takes a cancelled event's usage off what its subject's limit and balance count: off
	 * the meter's limit key in the current period, when the event is of it (a period that
	 * ended admits nothing more), and off the balance key when the meter is prepaid.
	 * Usage recorded by customer ID was never counted there.
	 */
	void giveBack(UsageEvent event, MeterDefinition meter) {
		BillingSubject subject = event.subject();
		if (subject == null || event.value() <= 0) {
			return;
		}
		String referenceId = subject.referenceId();
		String limitKey = meter.limitKey();
		if (limitKey != null) {
			BillingPeriod period = this.periods.current(event.customerId());
			if (!event.timestamp().isBefore(period.start()) && event.timestamp().isBefore(period.end())) {
				this.ledger.giveBack(referenceId, limitKey, period, event.value());
			}
		}
		if (this.balances.prepaid(meter)) {
			this.ledger.giveBack(referenceId, UsageLedger.balanceKey(meter.key()), UsageLedger.BALANCE_PERIOD,
					event.value());
		}
	}

	/**
	 * Where a subject stands against a limit this period.
	 * @param referenceId the organization or user ID
	 * @param account its billing account, or {@code null} when it has none (default plan,
	 * calendar-month period)
	 */
	UsageStatus status(String referenceId, @Nullable Account account, String limitKey) {
		String plan = (account != null) ? account.plan() : null;
		BillingPeriod period = this.periods.current((account != null) ? account.customerId() : null);
		long used = this.ledger.used(referenceId, limitKey, period);
		return UsageStatus.of(this.plans.limits(plan).plan(), limitKey, used,
				this.plans.limits(plan).limits().get(limitKey), period.start(), period.end());
	}

}
