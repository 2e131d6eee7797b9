package dev.metering;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;

import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code metering.limits.on-limit=cap} with a credits meter, through the real OpenAI
 * starter: a call that would cross the limit reaches the model with the max-tokens the
 * credits left pay for, and is refused only when they pay for less than the minimum
 * completion.
 */
@SpringBootTest(classes = MeteringTestApplication.class,
		properties = { "metering.default-meter=credits", "metering.meters.credits.event-name=ai_credits",
				"metering.meters.credits.meter-id=mtr_credits", "metering.meters.credits.unit=credits",
				"metering.meters.credits.limit-key=credits", "metering.plans.free.limits.credits=1000",
				// 0.001 credits a prompt token, 0.1 a completion token
				"metering.pricing.default.input=1000", "metering.pricing.default.output=100000",
				"metering.limits.on-limit=cap", "metering.limits.min-completion-tokens=100",
				"metering.accounts.org_call.customer-id=cus_call",
				"metering.accounts.org_stream.customer-id=cus_stream",
				"metering.accounts.org_openai.customer-id=cus_openai", "metering.accounts.org_low.customer-id=cus_low",
				"metering.accounts.org_room.customer-id=cus_room", "metering.delivery.flush-interval=50ms" })
class CapOnLimitTests extends OpenAiWireMockTests {

	/** 400 characters: 100 prompt tokens reserved, 0.1 credits. */
	private static final String PROMPT = "Tell me about the sea. Go on! ".repeat(13) + "Thanks....";

	@Autowired
	UsageLedger ledger;

	@Autowired
	BillingPeriods periods;

	@Test
	void aCallThatWouldCrossTheLimitReachesTheModelWithTheMaxTokensTheCreditsLeftPayFor() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 100, 50)));
		leaveCredits("org_call", "cus_call", 300);

		chatClient().prompt(PROMPT)
			.options(ChatOptions.builder().maxTokens(4096))
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_call"))
			.call()
			.content();

		// (300 - 0.1) credits / 0.1 a completion token
		assertThat(sentToTheModel("$.max_tokens")).containsExactly("2999");
	}

	@Test
	void aStreamIsCappedTheSameWay() {
		openAi.stubFor(OpenAiStub.streamedCompletions().willReturn(OpenAiStub.stream(List.of("ok"), 100, 50)));
		leaveCredits("org_stream", "cus_stream", 300);

		chatClient().prompt(PROMPT)
			.options(ChatOptions.builder().maxTokens(4096))
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_stream"))
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(sentToTheModel("$.max_tokens")).containsExactly("2999");
	}

	@Test
	void openAisMaxCompletionTokensIsCappedWhenTheRequestSetsThat() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 100, 50)));
		leaveCredits("org_openai", "cus_openai", 300);

		chatClient().prompt(PROMPT)
			.options(OpenAiChatOptions.builder().maxCompletionTokens(4096))
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_openai"))
			.call()
			.content();

		assertThat(sentToTheModel("$.max_completion_tokens")).containsExactly("2999");
		assertThat(sentToTheModel("$.max_tokens")).isEmpty();
	}

	@Test
	void aCallTheCreditsLeftPayTooLittleForIsRefusedWithoutReachingTheModel() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 100, 50)));
		// 100 completion tokens cost 10 credits
		leaveCredits("org_low", "cus_low", 5);

		assertThatExceptionOfType(UsageLimitExceededException.class)
			.isThrownBy(() -> chatClient().prompt(PROMPT)
				.options(ChatOptions.builder().maxTokens(4096))
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_low"))
				.call()
				.content())
			.satisfies((ex) -> {
				assertThat(ex.getLimit()).isEqualTo(1000);
				assertThat(ex.getUsed()).isEqualTo(995);
			});
		assertThat(OpenAiStub.requestCount(openAi)).isZero();
	}

	@Test
	void aCallTheCreditsLeftPayForInFullIsNotChanged() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 100, 50)));
		leaveCredits("org_room", "cus_room", 1000);

		chatClient().prompt(PROMPT)
			.options(ChatOptions.builder().maxTokens(4096))
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_room"))
			.call()
			.content();

		assertThat(sentToTheModel("$.max_tokens")).containsExactly("4096");
	}

	private ChatClient chatClient() {
		return this.chatClientBuilder.build();
	}

	private void leaveCredits(String organization, String customerId, long left) {
		this.ledger.setUsed(organization, "credits", this.periods.current(customerId), 1000 - left);
	}

	private static List<String> sentToTheModel(String jsonPath) {
		return openAi.findAll(postRequestedFor(urlEqualTo(OpenAiStub.PATH)))
			.stream()
			.filter((request) -> matchingJsonPath(jsonPath).match(request.getBodyAsString()).isExactMatch())
			.map((request) -> com.jayway.jsonpath.JsonPath.read(request.getBodyAsString(), jsonPath).toString())
			.toList();
	}

}
