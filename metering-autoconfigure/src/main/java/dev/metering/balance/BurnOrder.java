package dev.metering.balance;

import java.time.Instant;
import java.util.Comparator;

import dev.metering.CreditGrant;

/**
 * The order in which usage draws on an organization's grants, as Stripe and OpenMeter
 * burn them: the soonest to expire first and those that never expire last, so that as
 * little as possible is lost to expiry; then the lowest priority; then the one effective
 * first; then by identifier, so that every instance draws on the same grant.
 */
final class BurnOrder implements Comparator<CreditGrant> {

	private static final Comparator<CreditGrant> ORDER = Comparator
		.comparing(CreditGrant::expiresAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
		.thenComparingInt(CreditGrant::priority)
		.thenComparing(CreditGrant::effectiveAt)
		.thenComparing(CreditGrant::id);

	@Override
	public int compare(CreditGrant first, CreditGrant second) {
		return ORDER.compare(first, second);
	}

}
