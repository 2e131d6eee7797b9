package dev.metering.balance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.metering.CreditGrant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Usage draws on the grant that expires soonest, those that never expire last; among
 * grants that expire together on the lowest priority, then the one effective first, then
 * by identifier, so that every instance picks the same.
 */
class BurnOrderTests {

	private static final Instant JANUARY = Instant.parse("2027-01-01T00:00:00Z");

	private static final Instant FEBRUARY = Instant.parse("2027-02-01T00:00:00Z");

	private static final Instant MARCH = Instant.parse("2027-03-01T00:00:00Z");

	@Test
	void theSoonestToExpireComesFirstAndThoseThatNeverExpireLast() {
		CreditGrant never = grant("never", null, 0, JANUARY);
		CreditGrant march = grant("march", MARCH, 0, JANUARY);
		CreditGrant february = grant("february", FEBRUARY, 0, JANUARY);

		assertThat(ordered(never, march, february)).containsExactly(february, march, never);
	}

	@Test
	void amongGrantsThatExpireTogetherTheLowestPriorityComesFirst() {
		CreditGrant second = grant("a", FEBRUARY, 10, JANUARY);
		CreditGrant first = grant("b", FEBRUARY, 0, JANUARY);
		CreditGrant laterButSooner = grant("c", Instant.parse("2027-01-31T00:00:00Z"), 100, JANUARY);

		assertThat(ordered(second, first, laterButSooner)).containsExactly(laterButSooner, first, second);
	}

	@Test
	void thenTheOneEffectiveFirstThenByIdentifier() {
		CreditGrant later = grant("a", null, 5, FEBRUARY);
		CreditGrant earlierZ = grant("z", null, 5, JANUARY);
		CreditGrant earlierB = grant("b", null, 5, JANUARY);

		assertThat(ordered(later, earlierZ, earlierB)).containsExactly(earlierB, earlierZ, later);
	}

	private static List<CreditGrant> ordered(CreditGrant... grants) {
		List<CreditGrant> list = new ArrayList<>(List.of(grants));
		list.sort(new BurnOrder());
		return list;
	}

	private static CreditGrant grant(String id, @Nullable Instant expiresAt, int priority, Instant effectiveAt) {
		return new CreditGrant(id, "org_a", "ai-tokens", 1000, effectiveAt, expiresAt, priority, "local");
	}

}
