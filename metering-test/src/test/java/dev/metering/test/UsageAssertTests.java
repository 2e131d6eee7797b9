package dev.metering.test;

import java.time.Instant;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.metering.BillingClient;
import dev.metering.RecordUsageResult;

import static dev.metering.test.MeteringAssertions.assertThatUsage;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The usage assertions pass on what was recorded and fail with a message that says what
 * was expected, what was found, and every event the recorder received.
 */
@SpringBootTest(classes = KitTestApplication.class)
@AutoConfigureMeteringTest
class UsageAssertTests {

	@Autowired
	private RecordingMeterProvider recorder;

	@Autowired
	private BillingClient billing;

	private String first;

	private String second;

	@BeforeEach
	void record() {
		Instant at = Instant.now().minusSeconds(60);
		this.first = recorded(this.billing.recordUsage("ai_tokens", "cus_1", 12, at));
		this.second = recorded(this.billing.recordUsage("ai_tokens", "cus_1", 5, at));
		recorded(this.billing.recordUsage("api_calls", "cus_2", 1, at));
	}

	private static String recorded(RecordUsageResult result) {
		if (!result.recorded()) {
			throw new IllegalStateException(result.error());
		}
		return result.identifier();
	}

	@Test
	void narrowedUsagePassesWhatWasRecorded() {
		assertThatUsage(this.recorder).hasEventCount(3).hasTotal(18);
		assertThatUsage(this.recorder).forCustomer("cus_1")
			.onEvent("ai_tokens")
			.hasTotal(17)
			.hasEventCount(2)
			.hasValues(5, 12);
		assertThatUsage(this.recorder).forOrganization("org_2").onEvent("api_calls").hasTotal(1);
		assertThatUsage(this.recorder).forCustomer("cus_1").onEvent("api_calls").hasNoUsage().hasTotal(0);
		assertThatUsage(this.recorder).forOrganization("org_small").hasNoUsage();
	}

	@Test
	void aWrongTotalSaysWhatItFoundAndListsEveryEvent() {
		// events of different customers are delivered side by side: their order may vary
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> assertThatUsage(this.recorder).forCustomer("cus_1").onEvent("ai_tokens").hasTotal(18))
			.withMessageStartingWith("Expected usage of customer 'cus_1' on event 'ai_tokens' to total 18, "
					+ "but it totals 17 in 2 events.\nRecorded usage: 3 events:\n  ")
			.withMessageContaining("\n  ai_tokens 12 for cus_1 at ")
			.withMessageContaining(" (identifier " + this.first + ")")
			.withMessageContaining("\n  ai_tokens 5 for cus_1 at ")
			.withMessageContaining(" (identifier " + this.second + ")")
			.withMessageContaining("\n  api_calls 1 for cus_2 at ");
	}

	@Test
	void aWrongEventCountSaysHowManyThereAre() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> assertThatUsage(this.recorder).forOrganization("org_1").hasEventCount(1))
			.withMessageStartingWith("Expected usage of organization 'org_1' (customer 'cus_1') to be 1 event, "
					+ "but it is 2 events.\nRecorded usage: 3 events:");
	}

	@Test
	void wrongValuesSayWhichTheyAre() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> assertThatUsage(this.recorder).forCustomer("cus_1").hasValues(17))
			.withMessageStartingWith(
					"Expected usage of customer 'cus_1' to have the values [17] in any order, but it has [5, 12].");
	}

	@Test
	void usageWhereNoneWasExpectedIsShown() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> assertThatUsage(this.recorder).onEvent("api_calls").hasNoUsage())
			.withMessageStartingWith("Expected usage on event 'api_calls' to be none, but it is 1 event totalling 1.")
			.withMessageContaining("  api_calls 1 for cus_2 at ");
	}

	@Test
	void anOrganizationWithoutBillingAccountFailsTheAssertion() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> assertThatUsage(this.recorder).forOrganization("org_nobody").hasNoUsage())
			.withMessage("Expected usage of organization 'org_nobody', but the organization has no billing "
					+ "account, so no usage can be billed to it");
	}

	@Test
	void theDescriptionGivenLeadsTheMessageOfNarrowedAssertions() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> assertThatUsage(this.recorder).as("alice's chat").forCustomer("cus_1").hasTotal(1))
			.withMessageStartingWith("[alice's chat] Expected usage of customer 'cus_1' to total 1");
	}

	@Test
	void anEmptyRecorderSaysSo() {
		this.recorder.reset();

		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> assertThatUsage(this.recorder).hasTotal(17))
			.withMessage("Expected usage to total 17, but it totals 0 in 0 events.\nRecorded usage: none");
	}

}
