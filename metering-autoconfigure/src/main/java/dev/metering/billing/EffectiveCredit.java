package dev.metering.billing;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.metering.CreditGrant;

/**
 * The credit an organization's grants on a meter make usable at an instant, against all
 * its usage on the meter since its first grant: what the active grants hold, plus what
 * each expired grant had consumed when it expired. What was drawn from an expired grant
 * stays paid; only what was left of it is lost.
 */
final class EffectiveCredit {

	private EffectiveCredit() {
	}

	/**
	 * The credit at an instant, at most {@link Long#MAX_VALUE}.
	 * @param at the instant
	 * @param grants the organization's grants on the meter
	 * @param consumedAtExpiry what each expired grant had consumed when it expired, by
	 * grant ID; an expired grant missing from it counts as nothing consumed, so that what
	 * was not kept is never credited
	 */
	static long at(Instant at, Collection<CreditGrant> grants, Map<String, Long> consumedAtExpiry) {
		long credit = 0;
		for (CreditGrant grant : grants) {
			credit = saturatedAdd(credit, creditOf(grant, at, consumedAtExpiry.get(grant.id())));
		}
		return credit;
	}

	private static long creditOf(CreditGrant grant, Instant at, @Nullable Long consumed) {
		Instant expiresAt = grant.expiresAt();
		if (expiresAt == null || at.isBefore(expiresAt)) {
			return grant.effectiveAt().isAfter(at) ? 0 : grant.amount();
		}
		if (consumed == null || !grant.effectiveAt().isBefore(expiresAt)) {
			return 0;
		}
		return Math.min(Math.max(consumed, 0), grant.amount());
	}

	private static long saturatedAdd(long sum, long amount) {
		long total = sum + amount;
		return (total < sum) ? Long.MAX_VALUE : total;
	}

}
