package dev.metering.test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import dev.metering.BillingClient;
import dev.metering.MeterUsageSummary;
import dev.metering.MeteringAdvisor;
import dev.metering.RecordUsageResult;
import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.outbox.UsageOutbox;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.local.LocalMeterProvider;

import static dev.metering.test.MeteringAssertions.assertThatUsage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recording meter takes the provider's place and sees usage as soon as the metered
 * call has returned, although usage goes through the application's own outbox (here in
 * H2, with a background writer) and dispatcher, which delivers only every second unless
 * flushed.
 */
@SpringBootTest(classes = KitTestApplication.class)
@AutoConfigureMeteringTest
class RecordingMeterProviderTests {

	@Autowired
	private RecordingMeterProvider recorder;

	@Autowired
	private KitTestApplication.Assistant assistant;

	@Autowired
	private BillingClient billing;

	@Test
	void theRecorderTakesTheProvidersPlaceAndUsageTakesTheApplicationsDurableOutbox(ApplicationContext context,
			@Autowired UsageOutbox outbox) {
		assertThat(context.getBean(MeterProvider.class)).isSameAs(this.recorder);
		assertThat(context.getBeansOfType(LocalMeterProvider.class)).isEmpty();
		assertThat(outbox).isInstanceOf(GroupCommitOutbox.class);
	}

	@Test
	void aChatClientCallIsRecordedByTheTimeItReturns() {
		assertThat(this.assistant.ask("org_1", "Hello?")).isEqualTo("Hi there");

		assertThatUsage(this.recorder).forCustomer("cus_1").onEvent("ai_tokens").hasTotal(17).hasEventCount(1);
		assertThatUsage(this.recorder).forOrganization("org_1").hasValues(17);
		assertThatUsage(this.recorder).forCustomer("cus_2").hasNoUsage();
	}

	@Test
	void aStreamedCallIsRecordedWithTheUsageOfItsLastChunk() {
		assertThat(String.join("", this.assistant.askStreamed("org_2", "Stream it"))).isEqualTo("Hi there");

		assertThatUsage(this.recorder).forOrganization("org_2").onEvent("ai_tokens").hasTotal(17).hasEventCount(1);
	}

	@Test
	void theCallsOfAMeteredMethodAreRecordedAsOneEvent() {
		this.assistant.askTwice("org_1", "Twice?");

		assertThatUsage(this.recorder).forOrganization("org_1").hasValues(34);
	}

	@Test
	void aModelThatReportsNoUsageIsBilledAnEstimateNotZero(@Autowired ChatClient.Builder builder,
			@Autowired MeteringAdvisor advisor) {
		StubChatModel silent = StubChatModel.replying("An answer of a few words").withoutUsage();
		ChatClient chatClient = ChatClient.builder(silent)
			.defaultAdvisors(advisor.callOriginAdvisor(), advisor)
			.build();

		chatClient.prompt("How many tokens is this?")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_1"))
			.call()
			.content();

		assertThat(this.recorder.events()).singleElement()
			.satisfies((event) -> assertThat(event.value()).isPositive().isNotEqualTo(17));
	}

	@Test
	void usageRecordedByHandIsRecordedWithTheIdentifierItWasGiven() {
		// the outbox keeps milliseconds
		Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(1, ChronoUnit.HOURS);
		RecordUsageResult result = this.billing.recordUsage("api_calls", "cus_2", 3, at);

		assertThat(this.recorder.events())
			.containsExactly(new RecordedEvent(result.identifier(), "api_calls", "cus_2", 3, at));
	}

	@Test
	void usageQueriesAreAnsweredFromWhatWasRecorded() {
		this.assistant.ask("org_1", "one");
		this.assistant.ask("org_1", "two");
		this.billing.recordUsage("ai_tokens", "cus_2", 100);
		this.recorder.events();

		assertThat(this.billing.getUsage("mtr_ai_tokens", "cus_1")).extracting(MeterUsageSummary::aggregatedValue)
			.containsExactly(34L);
		Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
		assertThat(this.billing.getUsage("mtr_ai_tokens", "cus_1", today, today.plus(1, ChronoUnit.DAYS),
				Duration.ofDays(1)))
			.extracting(MeterUsageSummary::aggregatedValue)
			.containsExactly(34L);
	}

	@Test
	void resetForgetsEverythingRecorded() {
		this.assistant.ask("org_1", "Forget me");
		this.billing.recordUsage("api_calls", "cus_1", 1);

		this.recorder.reset();

		assertThatUsage(this.recorder).hasNoUsage();
		assertThat(this.billing.getUsage("mtr_ai_tokens", "cus_1").get(0).aggregatedValue()).isZero();
	}

}
