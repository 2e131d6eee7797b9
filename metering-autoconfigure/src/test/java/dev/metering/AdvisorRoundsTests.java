package dev.metering;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.StructuredOutputValidationAdvisor;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring AI's advisors that make several model round trips of one call — tool calling
 * (call and stream) and structured output validation — through the real OpenAI starter:
 * each round is billed once, with its reasoning tokens in their own type, whether the
 * advisor hands on each round's usage (Spring AI 2.0.0) or sums it across rounds and
 * drops the native usage once summed (2.0.1). The suite runs on both.
 */
@SpringBootTest(classes = MeteringTestApplication.class,
		properties = { "metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.ai-tokens.dimensions=token-type", "metering.accounts.org_tools.customer-id=cus_tools",
				"metering.accounts.org_streamed.customer-id=cus_streamed",
				"metering.accounts.org_structured.customer-id=cus_structured",
				"metering.delivery.flush-interval=50ms" })
class AdvisorRoundsTests extends OpenAiWireMockTests {

	@Test
	void eachRoundOfAToolCallingCallIsBilledOnceWithItsReasoningTokens() {
		openAi.stubFor(OpenAiStub.completions()
			.inScenario("tools")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(OpenAiStub.toolCall("weather", "{\"city\":\"Paris\"}", 20, 10, 4))
			.willSetStateTo("answered"));
		openAi.stubFor(OpenAiStub.completions()
			.inScenario("tools")
			.whenScenarioStateIs("answered")
			.willReturn(OpenAiStub.answer("It is sunny in Paris", OpenAiStub.MODEL, 40, 0, 8, 3)));

		String answer = this.chatClientBuilder.build()
			.prompt("Weather in Paris?")
			.tools(new WeatherTools())
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_tools"))
			.call()
			.content();

		assertThat(answer).isEqualTo("It is sunny in Paris");
		assertThat(OpenAiStub.requestCount(openAi)).isEqualTo(2);
		assertBilled("cus_tools", 20 + 40, 10 - 4 + 8 - 3, 4 + 3);
	}

	@Test
	void eachRoundOfAStreamedToolCallingCallIsBilledOnceWithItsReasoningTokens() {
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.inScenario("streamed tools")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(OpenAiStub.streamedToolCall("weather", "{\"city\":\"Oslo\"}", 21, 11, 5))
			.willSetStateTo("answered"));
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.inScenario("streamed tools")
			.whenScenarioStateIs("answered")
			.willReturn(OpenAiStub.stream(List.of("Sunny ", "in Oslo"), 45, 0, 6, 2)));

		List<String> pieces = this.chatClientBuilder.build()
			.prompt("Weather in Oslo?")
			.tools(new WeatherTools())
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_streamed"))
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(String.join("", pieces)).isEqualTo("Sunny in Oslo");
		assertThat(OpenAiStub.requestCount(openAi)).isEqualTo(2);
		assertBilled("cus_streamed", 21 + 45, 11 - 5 + 6 - 2, 5 + 2);
	}

	@Test
	void eachAttemptOfAValidatedStructuredOutputIsBilledOnceWithItsReasoningTokens() {
		openAi.stubFor(OpenAiStub.completions()
			.inScenario("structured")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(OpenAiStub.answer("not json at all", OpenAiStub.MODEL, 30, 0, 5, 2))
			.willSetStateTo("repeated"));
		openAi.stubFor(OpenAiStub.completions()
			.inScenario("structured")
			.whenScenarioStateIs("repeated")
			.willReturn(OpenAiStub.answer("{\\\"city\\\":\\\"Rome\\\",\\\"sky\\\":\\\"clear\\\"}", OpenAiStub.MODEL, 35,
					0, 9, 4)));

		Weather weather = this.chatClientBuilder.build()
			.prompt("Weather in Rome, as JSON")
			.advisors(
					StructuredOutputValidationAdvisor.builder().outputType(Weather.class).maxRepeatAttempts(2).build())
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_structured"))
			.call()
			.entity(Weather.class);

		assertThat(weather).isEqualTo(new Weather("Rome", "clear"));
		assertThat(OpenAiStub.requestCount(openAi)).isEqualTo(2);
		assertBilled("cus_structured", 30 + 35, 5 - 2 + 9 - 4, 2 + 4);
	}

	private void assertBilled(String customerId, long input, long output, long reasoning) {
		assertThat(billed("mtr_ai", customerId)).as("every token of every round, once")
			.isEqualTo(input + output + reasoning);
		assertThat(billedOfType(customerId, "input")).isEqualTo(input);
		assertThat(billedOfType(customerId, "output")).isEqualTo(output);
		assertThat(billedOfType(customerId, "reasoning")).isEqualTo(reasoning);
	}

	private long billedOfType(String customerId, String tokenType) {
		return this.billingClient
			.getUsage("mtr_ai", customerId, Instant.EPOCH, Instant.now().plusSeconds(60),
					UsageDimensions.tokenType(tokenType))
			.stream()
			.mapToLong(MeterUsageSummary::aggregatedValue)
			.sum();
	}

	record Weather(String city, String sky) {
	}

	static class WeatherTools {

		@Tool(description = "Current weather in a city")
		String weather(String city) {
			return "sunny";
		}

	}

}
