package dev.metering;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;
import dev.metering.provider.local.LocalMeterProvider;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A credits meter fed by the real OpenAI starter, with two models priced differently:
 * each call is priced by the model its response names, in whole credits whose rounding is
 * carried.
 */
@SpringBootTest(classes = { MeteringTestApplication.class, CreditPricingTests.Services.class },
		properties = { "metering.default-meter=credits", "metering.meters.credits.event-name=ai_credits",
				"metering.meters.credits.meter-id=mtr_credits", "metering.meters.credits.unit=credits",
				"metering.meters.credits.dimensions=model", "metering.meters.credits.limit-key=credits",
				"metering.plans.free.limits.credits=1000000",
				// 10 credits per 1,000 output tokens on gpt-4o, 0.6 on gpt-4o-mini
				"metering.pricing.models.[gpt-4o*].input=2500", "metering.pricing.models.[gpt-4o*].output=10000",
				"metering.pricing.models.[gpt-4o-mini*].input=150", "metering.pricing.models.[gpt-4o-mini*].output=600",
				"metering.pricing.default.input=1000000", "metering.pricing.default.output=1000000",
				"metering.accounts.org_big.customer-id=cus_big", "metering.accounts.org_mini.customer-id=cus_mini",
				"metering.accounts.org_named.customer-id=cus_named", "metering.accounts.org_mix.customer-id=cus_mix",
				"metering.accounts.org_stream.customer-id=cus_stream", "metering.plans.small.limits.credits=1000",
				"metering.accounts.org_refuse.customer-id=cus_refuse", "metering.accounts.org_refuse.plan=small",
				"metering.accounts.org_scope.customer-id=cus_scope", "metering.accounts.org_hand.customer-id=cus_hand",
				"metering.delivery.flush-interval=50ms" })
class CreditPricingTests extends OpenAiWireMockTests {

	@Autowired
	UsageLedger ledger;

	@Autowired
	BillingPeriods periods;

	@Test
	void eachModelIsPricedByItsOwnRatesAndRoundingIsCarried() {
		stubModel("gpt-4o", "gpt-4o-2024-08-06");
		stubModel("gpt-4o-mini", "gpt-4o-mini-2024-07-18");

		// 1,000 prompt and 200 completion tokens: 4.5 credits on gpt-4o, 0.27 on
		// gpt-4o-mini
		for (int i = 0; i < 2; i++) {
			call("gpt-4o", "org_big");
		}
		for (int i = 0; i < 10; i++) {
			call("gpt-4o-mini", "org_mini");
		}

		assertThat(billed("mtr_credits", "cus_big")).isEqualTo(9);
		assertThat(billed("mtr_credits", "cus_mini")).as("2.7 rounded once, not 10 × 0.27 rounded").isEqualTo(3);
		assertThat(this.billingClient.getUsageStatus("org_mini", "credits").used()).isEqualTo(3);
	}

	@Test
	void aCallIsPricedByTheModelTheResponseNamesNotTheOneAskedFor() {
		// asked for gpt-4o, answered by gpt-4o-mini: priced as gpt-4o-mini
		openAi.stubFor(OpenAiStub.completions()
			.willReturn(OpenAiStub.answer("ok", "gpt-4o-mini-2024-07-18", 1000, 0, 200, 0)));

		for (int i = 0; i < 10; i++) {
			call("gpt-4o", "org_named");
		}

		assertThat(billed("mtr_credits", "cus_named")).isEqualTo(3);
	}

	@Test
	void eventsCarryTheModelAndUsageIsReadTotalOrPerModel() {
		stubModel("gpt-4o", "gpt-4o-2024-08-06");
		stubModel("gpt-4o-mini", "gpt-4o-mini-2024-07-18");

		call("gpt-4o", "org_mix");
		for (int i = 0; i < 4; i++) {
			call("gpt-4o-mini", "org_mix");
		}

		// 4.5 + 4 × 0.27 = 5.58: 6 whole credits, 5 on gpt-4o's event (4.5 rounds up,
		// carrying -0.5)
		// and 1 on the event of the fourth gpt-4o-mini call, where the carry reaches 0.58
		assertThat(billed("mtr_credits", "cus_mix")).isEqualTo(6);
		assertThat(usageOf("cus_mix", UsageDimensions.model("gpt-4o-2024-08-06"))).isEqualTo(5);
		assertThat(usageOf("cus_mix", UsageDimensions.model("gpt-4o-mini-2024-07-18"))).isEqualTo(1);
	}

	@Test
	void aStreamIsPricedByTheModelItsChunksName() {
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.willReturn(OpenAiStub.stream(List.of("Once ", "upon"), 1000, 0, 200, 0)));

		for (int i = 0; i < 10; i++) {
			this.chatClientBuilder.build()
				.prompt("Tell me a story")
				.options(ChatOptions.builder().model("gpt-4o-mini"))
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_stream"))
				.stream()
				.content()
				.collectList()
				.block(Duration.ofSeconds(10));
		}

		// the stub's chunks name gpt-4o-mini
		assertThat(billed("mtr_credits", "cus_stream")).isEqualTo(3);
	}

	@Test
	void withOnLimitRefuseACallUnderTheLimitRunsAsAskedThoughItMayCrossIt() {
		stubModel("gpt-4o", "gpt-4o-2024-08-06");
		this.ledger.setUsed("org_refuse", "credits", this.periods.current("cus_refuse"), 700);

		this.chatClientBuilder.build()
			.prompt("Hi")
			.options(ChatOptions.builder().model("gpt-4o").maxTokens(4096))
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_refuse"))
			.call()
			.content();

		assertThat(openAi.findAll(postRequestedFor(urlEqualTo(OpenAiStub.PATH)))).singleElement()
			.satisfies((request) -> assertThat(request.getBodyAsString()).contains("\"max_tokens\":4096"));
		assertThat(this.billingClient.getUsageStatus("org_refuse", "credits").used()).isEqualTo(705);
	}

	@Test
	void aMeteredUsageScopeSumsTheCreditsOfItsCallsIntoOneEvent(@Autowired Assistant assistant,
			@Autowired LocalMeterProvider localMeter) {
		stubModel("gpt-4o", "gpt-4o-2024-08-06");
		stubModel("gpt-4o-mini", "gpt-4o-mini-2024-07-18");

		// 2 × 4.5 + 4 × 0.27 = 10.08 credits, each call rounded with the carry: 9 and 1
		assistant.askBothModels("org_scope");

		assertThat(billed("mtr_credits", "cus_scope")).isEqualTo(10);
		assertThat(localMeter.eventCount("ai_credits", "cus_scope")).as("one event per model").isEqualTo(2);
		assertThat(usageOf("cus_scope", UsageDimensions.model("gpt-4o-2024-08-06"))).isEqualTo(9);
		assertThat(usageOf("cus_scope", UsageDimensions.model("gpt-4o-mini-2024-07-18"))).isEqualTo(1);
	}

	@Test
	void recordUsageOnACreditsMeterTakesCreditsAsGiven() {
		assertThat(this.billingClient.recordUsage("ai_credits", "cus_hand", 42).recorded()).isTrue();

		assertThat(billed("mtr_credits", "cus_hand")).isEqualTo(42);
	}

	private long usageOf(String customerId, UsageDimensions filter) {
		return this.billingClient.getUsage("mtr_credits", customerId, null, null, filter).get(0).aggregatedValue();
	}

	private static void stubModel(String asked, String answering) {
		openAi.stubFor(OpenAiStub.completions()
			.withRequestBody(matchingJsonPath("$.model", equalTo(asked)))
			.willReturn(OpenAiStub.answer("ok", answering, 1000, 0, 200, 0)));
	}

	private void call(String model, String organization) {
		ChatClient chatClient = this.chatClientBuilder.build();
		chatClient.prompt("Hi")
			.options(ChatOptions.builder().model(model))
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Services {

		@Bean
		Assistant assistant(ChatClient.Builder builder) {
			return new Assistant(builder.build());
		}

	}

	static class Assistant {

		private final ChatClient chatClient;

		Assistant(ChatClient chatClient) {
			this.chatClient = chatClient;
		}

		@MeteredUsage(organization = "#orgId")
		void askBothModels(String orgId) {
			for (String model : List.of("gpt-4o", "gpt-4o", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini",
					"gpt-4o-mini")) {
				this.chatClient.prompt("Hi").options(ChatOptions.builder().model(model)).call().content();
			}
		}

	}

}
