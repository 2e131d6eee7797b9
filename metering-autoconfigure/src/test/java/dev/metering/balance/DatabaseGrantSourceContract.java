package dev.metering.balance;

import java.time.Clock;
import java.time.Instant;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.metering.CreditGrant;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Grants kept in {@code metering_grant}: besides what every source does, every instance
 * on the database sees the grants any of them made or revoked, also after a restart.
 */
abstract class DatabaseGrantSourceContract extends GrantSourceContract {

	/** A database with the starter's tables. */
	abstract DataSource database();

	@Override
	GrantSource source(Clock clock) {
		DataSource database = database();
		return GrantSources.inDatabase(StoreJdbc.client(database), StoreJdbc.transactions(database), clock);
	}

	@Test
	void everyInstanceSeesTheGrantsAnyOfThemMadeOrRevoked() {
		GrantSource first = source(this.clock);
		GrantSource second = source(this.clock);
		CreditGrant kept = first.grant(this.organization, "ai-tokens", 1000, NOW, null, 0);
		CreditGrant revoked = first.grant(this.organization, "ai-tokens", 200, NOW,
				Instant.parse("2027-06-01T00:00:00Z"), 0);

		second.revoke(revoked.id());

		assertThat(second.grants(this.organization, "ai-tokens")).containsExactly(
				new CreditGrant(revoked.id(), this.organization, "ai-tokens", 200, NOW, NOW, 0, "local"), kept);
		assertThat(source(this.clock).grants(this.organization, "ai-tokens"))
			.as("a source made later, as after a restart")
			.isEqualTo(first.grants(this.organization, "ai-tokens"));
	}

	@Test
	void aGrantMadeElsewhereIsKeptByTheFirstInstanceOnly() {
		CreditGrant plan = new CreditGrant("plan_" + this.organization, this.organization, "ai-tokens", 100, NOW, null,
				0, "plan");

		assertThat(source(this.clock).grantOnce(plan)).isTrue();
		assertThat(source(this.clock).grantOnce(plan)).isFalse();
		assertThat(source(this.clock).grants(this.organization, "ai-tokens")).containsExactly(plan);
	}

}
