package dev.metering.balance;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.metering.CreditGrant;

/**
 * Where the credit grants of prepaid balances are kept: the starter's own, in the
 * database ({@code metering_grant}) or in memory, made by {@link GrantSources}. An
 * application may define its own bean of this type instead, e.g. to keep grants in a
 * system of its own.
 *
 * @since 0.1.0
 */
public interface GrantSource {

	/**
	 * The grants of an organization on a meter, in the order usage draws on them: those
	 * that expired or were revoked (what was drawn from them stays paid) as well as the
	 * active and future ones.
	 * @param referenceId the organization or user ID
	 * @param meterKey the meter key
	 */
	List<CreditGrant> grants(String referenceId, String meterKey);

	/**
	 * Keeps a new grant.
	 * @param referenceId the organization or user ID
	 * @param meterKey the meter key
	 * @param amount what the grant holds, in the meter's unit, at least 1
	 * @param effectiveAt when it can be used from
	 * @param expiresAt when what is left of it is lost, after {@code effectiveAt}; or
	 * {@code null} for never
	 * @param priority which of grants that expire together is used first: the lowest
	 * @return the grant kept, with its identifier
	 * @throws IllegalArgumentException when an argument is blank or out of range, naming
	 * it
	 */
	CreditGrant grant(String referenceId, String meterKey, long amount, Instant effectiveAt,
			@Nullable Instant expiresAt, int priority);

	/**
	 * Keeps a grant made elsewhere, with its identifier, unless a grant with that
	 * identifier is kept already: for the grants that configuration makes again and again
	 * (a plan's grant each billing period), kept by whichever instance needs one first.
	 * By default this is refused.
	 * @param grant the grant, its identifier the same on every instance
	 * @return whether it was kept now
	 * @throws IllegalArgumentException when the grant's amount or times are out of range,
	 * naming them
	 * @throws UnsupportedOperationException by default, for a source that cannot keep
	 * grants made elsewhere
	 */
	default boolean grantOnce(CreditGrant grant) {
		throw new UnsupportedOperationException(getClass().getName() + " cannot keep the grants of plans "
				+ "(metering.plans.<plan>.grants): implement GrantSource.grantOnce");
	}

	/**
	 * Ends a grant now, as if it expired: what is left of it is lost, what was drawn from
	 * it stays paid. A grant that is unknown or has ended already is left as it is.
	 * @param grantId the grant's identifier
	 */
	void revoke(String grantId);

	/**
	 * What the grants of an organization on a meter that have ended had consumed when
	 * they ended, by grant ID, as {@link #keepConsumedAtEnd} kept it: what was drawn from
	 * them stays paid. By default none is kept, so an ended grant pays for nothing and
	 * the usage it had paid for is drawn from the other grants: never more credit than
	 * was granted, at the price of refusing early.
	 * @param referenceId the organization or user ID
	 * @param meterKey the meter key
	 */
	default Map<String, Long> consumedAtEnd(String referenceId, String meterKey) {
		return Map.of();
	}

	/**
	 * Keeps what a grant that has ended had consumed when it ended, once: the first value
	 * kept for a grant stands, so that every instance counts the same. By default nothing
	 * is kept.
	 * @param grantId the grant's identifier
	 * @param consumed what it had consumed, from 0 to its amount
	 */
	default void keepConsumedAtEnd(String grantId, long consumed) {
	}

}
