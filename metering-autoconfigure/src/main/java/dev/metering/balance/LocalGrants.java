package dev.metering.balance;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.metering.CreditGrant;

/**
 * The grants the starter's own sources keep: checked, named and at the millisecond the
 * database keeps, so that a grant reads back as it was made.
 */
final class LocalGrants {

	/** The source of the grants made through the starter. */
	static final String SOURCE = "local";

	private LocalGrants() {
	}

	static CreditGrant make(String referenceId, String meterKey, long amount, Instant effectiveAt,
			@Nullable Instant expiresAt, int priority) {
		return checked("grant_" + UUID.randomUUID(), referenceId, meterKey, amount, effectiveAt, expiresAt, priority,
				SOURCE);
	}

	/** A grant made elsewhere, checked and at the millisecond the database keeps. */
	static CreditGrant of(CreditGrant grant) {
		notBlank("id", grant.id());
		notBlank("source", grant.source());
		return checked(grant.id(), grant.referenceId(), grant.meterKey(), grant.amount(), grant.effectiveAt(),
				grant.expiresAt(), grant.priority(), grant.source());
	}

	private static CreditGrant checked(String id, String referenceId, String meterKey, long amount, Instant effectiveAt,
			@Nullable Instant expiresAt, int priority, String source) {
		notBlank("referenceId", referenceId);
		notBlank("meterKey", meterKey);
		if (amount < 1) {
			throw new IllegalArgumentException("amount must be at least 1, was " + amount);
		}
		Instant effective = effectiveAt.truncatedTo(ChronoUnit.MILLIS);
		Instant expires = (expiresAt != null) ? expiresAt.truncatedTo(ChronoUnit.MILLIS) : null;
		if (expires != null && !expires.isAfter(effective)) {
			throw new IllegalArgumentException(
					"expiresAt must be after effectiveAt, was " + expiresAt + " for " + effectiveAt);
		}
		return new CreditGrant(id, referenceId, meterKey, amount, effective, expires, priority, source);
	}

	/**
	 * The grant ended at {@code now}, or {@code null} when it has ended already.
	 */
	static @Nullable CreditGrant endedAt(CreditGrant grant, Instant now) {
		Instant expiresAt = grant.expiresAt();
		if (expiresAt != null && !expiresAt.isAfter(now)) {
			return null;
		}
		return new CreditGrant(grant.id(), grant.referenceId(), grant.meterKey(), grant.amount(), grant.effectiveAt(),
				now.truncatedTo(ChronoUnit.MILLIS), grant.priority(), grant.source());
	}

	private static void notBlank(String name, @Nullable String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " must not be blank");
		}
	}

}
