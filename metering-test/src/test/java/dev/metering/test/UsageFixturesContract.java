package dev.metering.test;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.metering.BillingClient;
import dev.metering.UsageLimitExceededException;

import static dev.metering.test.MeteringAssertions.assertThatUsage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Usage set by the fixtures decides the next call, whichever ledger the application has.
 * {@code org_small} is on the free plan: 1,000 tokens; a call uses 17.
 */
abstract class UsageFixturesContract {

	@Autowired
	UsageFixtures fixtures;

	@Autowired
	RecordingMeterProvider recorder;

	@Autowired
	KitTestApplication.Assistant assistant;

	@Autowired
	BillingClient billing;

	@BeforeEach
	void startUnused() {
		this.fixtures.setUsed("org_small", "aiTokens", 0);
	}

	@Test
	void anOrganizationJustUnderItsLimitIsAdmittedOnceThenRefused() {
		this.fixtures.setUsed("org_small", "aiTokens", 990);
		assertThat(this.billing.getUsageStatus("org_small", "aiTokens").used()).isEqualTo(990);

		this.assistant.ask("org_small", "Admitted?");
		assertThatExceptionOfType(UsageLimitExceededException.class)
			.isThrownBy(() -> this.assistant.ask("org_small", "And again?"))
			.satisfies((refused) -> {
				assertThat(refused.getLimitKey()).isEqualTo("aiTokens");
				assertThat(refused.getLimit()).isEqualTo(1000);
				assertThat(refused.getUsed()).isEqualTo(1007);
			});

		assertThatUsage(this.recorder).forOrganization("org_small").hasValues(17);
	}

	@Test
	void anOrganizationAtItsLimitIsAdmittedAgainOnceItsUsageIsSetBack() {
		this.fixtures.setUsed("org_small", "aiTokens", 1000);
		assertThatExceptionOfType(UsageLimitExceededException.class)
			.isThrownBy(() -> this.assistant.ask("org_small", "Refused?"));

		this.fixtures.setUsed("org_small", "aiTokens", 0);
		this.assistant.ask("org_small", "Admitted?");

		assertThat(this.billing.getUsageStatus("org_small", "aiTokens").used()).isEqualTo(17);
		assertThatUsage(this.recorder).forOrganization("org_small").hasValues(17);
	}

	@Test
	void usageSetIsNoUsageRecorded() {
		this.fixtures.setUsed("org_small", "aiTokens", 500);

		assertThatUsage(this.recorder).hasNoUsage();
	}

	@Test
	void badArgumentsAreRefusedWithTheirNameAndChangeNothing() {
		this.fixtures.setUsed("org_small", "aiTokens", 100);

		assertThatIllegalArgumentException().isThrownBy(() -> this.fixtures.setUsed("org_small", "tokens", 5))
			.withMessage("limitKey 'tokens' is not the limit-key of any meter under metering.meters; "
					+ "limit keys: [aiTokens]");
		assertThatIllegalArgumentException().isThrownBy(() -> this.fixtures.setUsed("org_small", "aiTokens", -1))
			.withMessage("used must not be negative, was -1");
		assertThatIllegalArgumentException().isThrownBy(() -> this.fixtures.setUsed(" ", "aiTokens", 5))
			.withMessage("organizationId must not be blank");
		assertThatIllegalArgumentException().isThrownBy(() -> this.fixtures.setUsed("org_small", null, 5))
			.withMessage("limitKey must not be blank");

		assertThat(this.billing.getUsageStatus("org_small", "aiTokens").used()).isEqualTo(100);
	}

}
