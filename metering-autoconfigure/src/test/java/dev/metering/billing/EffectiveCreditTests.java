package dev.metering.billing;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.metering.CreditGrant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The credit usable at an instant: the amounts of the grants active then (from their
 * effective time, inclusive, to their expiry, exclusive), plus what each expired grant
 * had consumed when it expired, never more than it held.
 */
class EffectiveCreditTests {

	private static final Instant JANUARY = Instant.parse("2027-01-01T00:00:00Z");

	private static final Instant FEBRUARY = Instant.parse("2027-02-01T00:00:00Z");

	private static final Instant MARCH = Instant.parse("2027-03-01T00:00:00Z");

	@Test
	void activeGrantsCountWhatTheyHoldFromWhenTheyTakeEffect() {
		List<CreditGrant> grants = List.of(grant("monthly", 1000, JANUARY, FEBRUARY),
				grant("top-up", 500, FEBRUARY, null));

		assertThat(EffectiveCredit.at(JANUARY.minusMillis(1), grants, Map.of())).isZero();
		assertThat(EffectiveCredit.at(JANUARY, grants, Map.of())).isEqualTo(1000);
		assertThat(EffectiveCredit.at(FEBRUARY.minusMillis(1), grants, Map.of())).isEqualTo(1000);
	}

	@Test
	void anExpiredGrantCountsWhatItHadConsumedWhenItExpired() {
		List<CreditGrant> grants = List.of(grant("monthly", 1000, JANUARY, FEBRUARY),
				grant("top-up", 500, FEBRUARY, null));

		assertThat(EffectiveCredit.at(FEBRUARY, grants, Map.of("monthly", 700L))).isEqualTo(700 + 500);
		assertThat(EffectiveCredit.at(MARCH, grants, Map.of("monthly", 700L))).isEqualTo(700 + 500);
	}

	@Test
	void anExpiredGrantNeverCountsMoreThanItHeldNorWhatWasNotKept() {
		List<CreditGrant> grants = List.of(grant("monthly", 1000, JANUARY, FEBRUARY));

		assertThat(EffectiveCredit.at(MARCH, grants, Map.of("monthly", 1200L))).isEqualTo(1000);
		assertThat(EffectiveCredit.at(MARCH, grants, Map.of())).isZero();
	}

	@Test
	void aGrantRevokedBeforeItTookEffectCountsNothing() {
		List<CreditGrant> grants = List.of(grant("revoked", 1000, FEBRUARY, JANUARY));

		assertThat(EffectiveCredit.at(MARCH, grants, Map.of("revoked", 10L))).isZero();
	}

	@Test
	void theCreditStopsAtTheLargestLong() {
		List<CreditGrant> grants = List.of(grant("a", Long.MAX_VALUE - 1, JANUARY, null), grant("b", 2, JANUARY, null));

		assertThat(EffectiveCredit.at(FEBRUARY, grants, Map.of())).isEqualTo(Long.MAX_VALUE);
	}

	private static CreditGrant grant(String id, long amount, Instant effectiveAt, @Nullable Instant expiresAt) {
		return new CreditGrant(id, "org_a", "ai-tokens", amount, effectiveAt, expiresAt, 0, "local");
	}

}
