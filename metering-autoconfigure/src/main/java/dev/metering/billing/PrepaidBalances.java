package dev.metering.billing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.metering.Balance;
import dev.metering.CreditGrant;
import dev.metering.balance.GrantSource;
import dev.metering.limits.BillingPeriod;
import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;
import dev.metering.provider.MeterDefinition;

/**
 * The prepaid balances of the meters marked prepaid: what an organization's grants make
 * usable on a meter, against all the usage the ledger counts under the meter's
 * {@linkplain UsageLedger#balanceKey balance key} since its first grant.
 * <p>
 * A grant that has ended keeps paying for what was drawn from it: the first time a grant
 * is seen ended, what the ledger had counted by then is allocated to the ended grants in
 * burn order and kept with the grant source. Usage of calls still in flight, or not yet
 * written back by other instances, at that moment is drawn from the remaining grants
 * instead: the allocation errs towards less credit, never more.
 */
final class PrepaidBalances {

	/** The source of the grants plans give. */
	static final String PLAN_SOURCE = "plan";

	private final Set<String> prepaidMeters;

	private final GrantSource grants;

	private final PlanCatalog plans;

	private final BillingPeriods periods;

	private final UsageLedger ledger;

	private final Clock clock;

	/**
	 * @param prepaidMeters the keys of the meters whose calls draw on balances
	 */
	PrepaidBalances(Set<String> prepaidMeters, GrantSource grants, PlanCatalog plans, BillingPeriods periods,
			UsageLedger ledger, Clock clock) {
		this.prepaidMeters = Set.copyOf(prepaidMeters);
		this.grants = grants;
		this.plans = plans;
		this.periods = periods;
		this.ledger = ledger;
		this.clock = clock;
	}

	boolean prepaid(MeterDefinition meter) {
		return this.prepaidMeters.contains(meter.key());
	}

	boolean prepaid(String meterKey) {
		return this.prepaidMeters.contains(meterKey);
	}

	GrantSource grants() {
		return this.grants;
	}

	/**
	 * What the organization's grants on the meter make usable now.
	 * @param account its billing account, or {@code null} when it has none (default plan,
	 * calendar-month period)
	 */
	long credit(String referenceId, @Nullable Account account, String meterKey) {
		return credit(referenceId, meterKey, this.clock.instant(), grantsOf(referenceId, account, meterKey));
	}

	/**
	 * The organization's grants on the meter, with its plan's grant of the current
	 * billing period, which is kept the first time it is needed: its identifier is the
	 * same on every instance, so that one of them keeps it.
	 */
	private List<CreditGrant> grantsOf(String referenceId, @Nullable Account account, String meterKey) {
		List<CreditGrant> grants = this.grants.grants(referenceId, meterKey);
		String plan = this.plans.name((account != null) ? account.plan() : null);
		PlanGrant planGrant = this.plans.grant(plan, meterKey);
		if (planGrant == null) {
			return grants;
		}
		BillingPeriod period = this.periods.current((account != null) ? account.customerId() : null);
		String id = planGrantId(referenceId, meterKey, plan, period);
		if (grants.stream().anyMatch((grant) -> grant.id().equals(id))) {
			return grants;
		}
		this.grants.grantOnce(new CreditGrant(id, referenceId, meterKey, planGrant.amount(), period.start(),
				planGrant.rollover() ? null : period.end(), 0, PLAN_SOURCE));
		return this.grants.grants(referenceId, meterKey);
	}

	private static String planGrantId(String referenceId, String meterKey, String plan, BillingPeriod period) {
		String key = String.join("\u0000", referenceId, meterKey, plan, Long.toString(period.start().toEpochMilli()));
		return "plan_" + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
	}

	private long credit(String referenceId, String meterKey, Instant now, List<CreditGrant> grants) {
		if (grants.stream().noneMatch((grant) -> ended(grant, now))) {
			// what ended grants consumed is all that the credit needs beyond the grants
			return EffectiveCredit.at(now, grants, Map.of());
		}
		Map<String, Long> consumed = this.grants.consumedAtEnd(referenceId, meterKey);
		if (keepWhatEndedGrantsConsumed(referenceId, meterKey, now, grants, consumed)) {
			consumed = this.grants.consumedAtEnd(referenceId, meterKey);
		}
		return EffectiveCredit.at(now, grants, consumed);
	}

	/**
	 * Allocates the usage counted so far to the grants that ended and have nothing kept,
	 * in burn order, which puts every ended grant before every active one.
	 * @return whether anything was kept
	 */
	private boolean keepWhatEndedGrantsConsumed(String referenceId, String meterKey, Instant now,
			List<CreditGrant> grants, Map<String, Long> consumed) {
		List<CreditGrant> unkept = grants.stream()
			.filter((grant) -> ended(grant, now) && !consumed.containsKey(grant.id()))
			.toList();
		if (unkept.isEmpty()) {
			return false;
		}
		long left = used(referenceId, meterKey);
		for (long kept : consumed.values()) {
			left -= kept;
		}
		for (CreditGrant grant : unkept) {
			long drawn = Math.min(Math.max(left, 0), grant.amount());
			this.grants.keepConsumedAtEnd(grant.id(), drawn);
			left -= drawn;
		}
		return true;
	}

	private static boolean ended(CreditGrant grant, Instant now) {
		Instant expiresAt = grant.expiresAt();
		return expiresAt != null && !expiresAt.isAfter(now);
	}

	/** All the usage counted on the meter's balance. */
	long used(String referenceId, String meterKey) {
		return this.ledger.used(referenceId, UsageLedger.balanceKey(meterKey), UsageLedger.BALANCE_PERIOD);
	}

	/**
	 * Where the organization's balance on the meter stands: granted is what its grants
	 * have made usable (the active ones in full, the ended ones what was drawn from
	 * them).
	 */
	Balance balance(String referenceId, @Nullable Account account, String meterKey) {
		Instant now = this.clock.instant();
		List<CreditGrant> grants = grantsOf(referenceId, account, meterKey);
		long credit = credit(referenceId, meterKey, now, grants);
		long used = used(referenceId, meterKey);
		return new Balance(meterKey, credit, used, Math.max(credit - used, 0), nextExpiry(grants, now));
	}

	/** The active and future grants, in burn order. */
	List<CreditGrant> activeGrants(String referenceId, @Nullable Account account, String meterKey) {
		Instant now = this.clock.instant();
		return grantsOf(referenceId, account, meterKey).stream().filter((grant) -> !ended(grant, now)).toList();
	}

	private static @Nullable Instant nextExpiry(List<CreditGrant> grants, Instant now) {
		Instant next = null;
		for (CreditGrant grant : grants) {
			Instant expiresAt = grant.expiresAt();
			if (expiresAt != null && expiresAt.isAfter(now) && (next == null || expiresAt.isBefore(next))) {
				next = expiresAt;
			}
		}
		return next;
	}

}
