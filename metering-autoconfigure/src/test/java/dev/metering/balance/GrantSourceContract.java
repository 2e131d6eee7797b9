package dev.metering.balance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.metering.CreditGrant;
import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

/**
 * What every grant source the starter makes does: a grant reads back as it was made, the
 * grants of an organization on a meter are answered in burn order, and a revoked grant
 * ends when it is revoked but stays, since what was drawn from it stays paid.
 */
abstract class GrantSourceContract {

	static final Instant NOW = Instant.parse("2027-01-15T10:00:00Z");

	final MutableClock clock = new MutableClock(NOW);

	/** Unique per test, since a database may outlive one. */
	final String organization = "org_" + UUID.randomUUID();

	/** A source on the test's store, which may be shared with other sources. */
	abstract GrantSource source(Clock clock);

	@Test
	void aGrantReadsBackAsItWasMade() {
		GrantSource source = source(this.clock);
		CreditGrant grant = source.grant(this.organization, "ai-tokens", 1_000_000,
				Instant.parse("2027-01-01T00:00:00.123456Z"), Instant.parse("2027-02-01T00:00:00Z"), 10);

		assertThat(grant.id()).startsWith("grant_");
		assertThat(grant.source()).isEqualTo("local");
		assertThat(grant.effectiveAt()).as("kept to the millisecond").isEqualTo("2027-01-01T00:00:00.123Z");
		assertThat(source.grants(this.organization, "ai-tokens")).containsExactly(grant);
	}

	@Test
	void theGrantsOfAnOrganizationOnAMeterAreAnsweredInBurnOrder() {
		GrantSource source = source(this.clock);
		CreditGrant never = source.grant(this.organization, "ai-tokens", 500, NOW, null, 0);
		CreditGrant low = source.grant(this.organization, "ai-tokens", 100, NOW, NOW.plus(Duration.ofDays(30)), 50);
		CreditGrant soonest = source.grant(this.organization, "ai-tokens", 100, NOW, NOW.plus(Duration.ofDays(7)), 90);
		CreditGrant high = source.grant(this.organization, "ai-tokens", 100, NOW, NOW.plus(Duration.ofDays(30)), 0);
		source.grant(this.organization, "credits", 100, NOW, null, 0);
		source.grant(this.organization + "_other", "ai-tokens", 100, NOW, null, 0);

		assertThat(source.grants(this.organization, "ai-tokens")).containsExactly(soonest, high, low, never);
		assertThat(source.grants(this.organization, "images")).isEmpty();
	}

	@Test
	void aRevokedGrantEndsWhenItIsRevokedAndStays() {
		GrantSource source = source(this.clock);
		CreditGrant grant = source.grant(this.organization, "ai-tokens", 1000, NOW.minus(Duration.ofDays(1)), null, 0);

		this.clock.set(NOW.plusSeconds(60));
		source.revoke(grant.id());
		this.clock.set(NOW.plusSeconds(120));
		source.revoke(grant.id());

		assertThat(source.grants(this.organization, "ai-tokens")).singleElement()
			.satisfies((revoked) -> assertThat(revoked.expiresAt()).isEqualTo(NOW.plusSeconds(60)))
			.satisfies((revoked) -> assertThat(revoked.amount()).isEqualTo(1000));
	}

	@Test
	void aGrantMadeElsewhereIsKeptOnceUnderItsIdentifier() {
		GrantSource source = source(this.clock);
		CreditGrant plan = new CreditGrant("plan_" + this.organization, this.organization, "ai-tokens", 100,
				Instant.parse("2027-01-01T00:00:00.123456Z"), Instant.parse("2027-02-01T00:00:00Z"), 0, "plan");

		assertThat(source.grantOnce(plan)).isTrue();
		assertThat(source.grantOnce(plan)).as("kept already").isFalse();

		assertThat(source.grants(this.organization, "ai-tokens")).singleElement().satisfies((kept) -> {
			assertThat(kept.id()).isEqualTo(plan.id());
			assertThat(kept.source()).isEqualTo("plan");
			assertThat(kept.effectiveAt()).as("kept to the millisecond").isEqualTo("2027-01-01T00:00:00.123Z");
		});
		assertThatIllegalArgumentException()
			.isThrownBy(() -> source
				.grantOnce(new CreditGrant("plan_zero", this.organization, "ai-tokens", 0, NOW, null, 0, "plan")))
			.withMessage("amount must be at least 1, was 0");
	}

	@Test
	void whatAnEndedGrantHadConsumedIsKeptOnceForItsOrganizationAndMeter() {
		GrantSource source = source(this.clock);
		CreditGrant ended = source.grant(this.organization, "ai-tokens", 1000, NOW.minus(Duration.ofDays(30)),
				NOW.minus(Duration.ofDays(1)), 0);
		CreditGrant active = source.grant(this.organization, "ai-tokens", 1000, NOW, null, 0);

		source.keepConsumedAtEnd(ended.id(), 400);
		source.keepConsumedAtEnd(ended.id(), 900);

		assertThat(source.consumedAtEnd(this.organization, "ai-tokens")).as("the first value stands")
			.containsExactly(entry(ended.id(), 400L))
			.doesNotContainKey(active.id());
		assertThat(source.consumedAtEnd(this.organization, "credits")).isEmpty();
		assertThat(source.consumedAtEnd(this.organization + "_other", "ai-tokens")).isEmpty();
	}

	@Test
	void revokingAGrantThatHasExpiredOrIsUnknownChangesNothing() {
		GrantSource source = source(this.clock);
		CreditGrant expired = source.grant(this.organization, "ai-tokens", 1000, NOW.minus(Duration.ofDays(30)),
				NOW.minus(Duration.ofDays(1)), 0);

		source.revoke(expired.id());
		source.revoke("grant_unknown");

		assertThat(source.grants(this.organization, "ai-tokens")).containsExactly(expired);
	}

	@Test
	void argumentsOutOfRangeAreRefusedNamingThem() {
		GrantSource source = source(this.clock);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> source.grant(this.organization, "ai-tokens", 0, NOW, null, 0))
			.withMessage("amount must be at least 1, was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> source.grant(this.organization, "ai-tokens", 10, NOW, NOW, 0))
			.withMessageStartingWith("expiresAt must be after effectiveAt");
		assertThatIllegalArgumentException().isThrownBy(() -> source.grant(" ", "ai-tokens", 10, NOW, null, 0))
			.withMessage("referenceId must not be blank");
		assertThatIllegalArgumentException().isThrownBy(() -> source.grant(this.organization, "", 10, NOW, null, 0))
			.withMessage("meterKey must not be blank");
		assertThat(source.grants(this.organization, "ai-tokens")).isEmpty();
	}

}
