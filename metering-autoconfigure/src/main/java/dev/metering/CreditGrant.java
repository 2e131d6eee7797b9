package dev.metering;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An amount an organization may use on a prepaid meter, in the meter's unit, from when it
 * takes effect until it expires. Usage draws on the active grants of a meter in burn
 * order: the soonest to expire first (grants that never expire last), then by priority.
 *
 * @param id the grant's identifier, which revokes it
 * @param referenceId the organization or user the grant is for
 * @param meterKey the meter it may be used on
 * @param amount what it holds, in the meter's unit
 * @param effectiveAt when it can be used from, inclusive
 * @param expiresAt when it expires, exclusive: what is left of it then is lost; or
 * {@code null} when it never expires
 * @param priority which of grants that expire together is used first: the lowest, as in
 * Stripe's credit grants
 * @param source where the grant came from, e.g. {@code local} for a grant made through
 * {@link BillingClient#grantCredits}
 * @since 0.1.0
 */
public record CreditGrant(String id, String referenceId, String meterKey, long amount, Instant effectiveAt,
		@Nullable Instant expiresAt, int priority, String source) {
}
