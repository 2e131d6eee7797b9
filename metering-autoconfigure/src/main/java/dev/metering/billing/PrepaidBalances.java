package dev.metering.billing;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.metering.Balance;
import dev.metering.CreditGrant;
import dev.metering.balance.GrantSource;
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

	private final Set<String> prepaidMeters;

	private final GrantSource grants;

	private final UsageLedger ledger;

	private final Clock clock;

	/**
	 * @param prepaidMeters the keys of the meters whose calls draw on balances
	 */
	PrepaidBalances(Set<String> prepaidMeters, GrantSource grants, UsageLedger ledger, Clock clock) {
		this.prepaidMeters = Set.copyOf(prepaidMeters);
		this.grants = grants;
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

	/** What the organization's grants on the meter make usable now. */
	long credit(String referenceId, String meterKey) {
		return credit(referenceId, meterKey, this.clock.instant(), this.grants.grants(referenceId, meterKey));
	}

	private long credit(String referenceId, String meterKey, Instant now, List<CreditGrant> grants) {
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
	Balance balance(String referenceId, String meterKey) {
		Instant now = this.clock.instant();
		List<CreditGrant> grants = this.grants.grants(referenceId, meterKey);
		long credit = credit(referenceId, meterKey, now, grants);
		long used = used(referenceId, meterKey);
		return new Balance(meterKey, credit, used, Math.max(credit - used, 0), nextExpiry(grants, now));
	}

	/** The active and future grants, in burn order. */
	List<CreditGrant> activeGrants(String referenceId, String meterKey) {
		Instant now = this.clock.instant();
		return this.grants.grants(referenceId, meterKey).stream().filter((grant) -> !ended(grant, now)).toList();
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
