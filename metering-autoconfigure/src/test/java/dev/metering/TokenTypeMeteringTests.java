package dev.metering;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenAI answers whose usage details count cached prompt tokens and reasoning tokens,
 * through the real OpenAI starter: each type of token lands on the meter of that type,
 * and a meter on total tokens counts what it always did.
 */
@SpringBootTest(classes = MeteringTestApplication.class,
		properties = { "metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.input.event-name=input_tokens", "metering.meters.input.tokens=input",
				"metering.meters.cached.event-name=cached_tokens", "metering.meters.cached.tokens=cached-input",
				"metering.meters.written.event-name=cache_write_tokens",
				"metering.meters.written.tokens=cache-write-input", "metering.meters.output.event-name=output_tokens",
				"metering.meters.output.tokens=output", "metering.meters.reasoning.event-name=reasoning_tokens",
				"metering.meters.reasoning.tokens=reasoning", "metering.accounts.org_call.customer-id=cus_call",
				"metering.accounts.org_stream.customer-id=cus_stream", "metering.delivery.flush-interval=50ms" })
@Import(TokenTypeMeteringTests.ScopesConfiguration.class)
class TokenTypeMeteringTests extends OpenAiWireMockTests {

	/**
	 * 100 prompt tokens of which 60 cached, 50 completion tokens of which 20 reasoning.
	 */
	private static final int PROMPT = 100, CACHED = 60, COMPLETION = 50, REASONING = 20;

	private static final List<String> METERS = List.of("ai-tokens", "input", "cached", "written", "output",
			"reasoning");

	@Autowired
	MeteredScopes scopes;

	@Test
	void eachTypeOfTokenOfACallLandsOnItsMeter() {
		openAi.stubFor(OpenAiStub.completions()
			.willReturn(OpenAiStub.answer("Thought it through", "o4-mini", PROMPT, CACHED, COMPLETION, REASONING)));
		ChatClient chatClient = this.chatClientBuilder.build();

		for (String meter : METERS) {
			inScopeOf(meter, "org_call", () -> chatClient.prompt("Hi").call().content());
		}

		assertEachTypeOnItsMeter("cus_call");
	}

	@Test
	void eachTypeOfTokenOfAStreamLandsOnItsMeter() {
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.willReturn(OpenAiStub.stream(List.of("Thought ", "it through"), PROMPT, CACHED, COMPLETION, REASONING)));
		ChatClient chatClient = this.chatClientBuilder.build();

		for (String meter : METERS) {
			List<String> pieces = inScopeOf(meter, "org_stream",
					() -> chatClient.prompt("Hi").stream().content().collectList().block(Duration.ofSeconds(10)));
			assertThat(String.join("", pieces)).isEqualTo("Thought it through");
		}

		assertEachTypeOnItsMeter("cus_stream");
	}

	private void assertEachTypeOnItsMeter(String customerId) {
		assertThat(billed("mtr_ai", customerId)).as("total, as before").isEqualTo(PROMPT + COMPLETION);
		assertThat(billed("input", customerId)).as("input read fresh").isEqualTo(PROMPT - CACHED);
		assertThat(billed("cached", customerId)).isEqualTo(CACHED);
		assertThat(billed("written", customerId)).as("OpenAI reports no cache writes").isZero();
		assertThat(billed("output", customerId)).as("output shown").isEqualTo(COMPLETION - REASONING);
		assertThat(billed("reasoning", customerId)).isEqualTo(REASONING);
	}

	/** Runs a call in a {@code @MeteredUsage} scope of the meter. */
	private <T> T inScopeOf(String meter, String organization, Supplier<T> call) {
		return switch (meter) {
			case "ai-tokens" -> this.scopes.aiTokens(organization, call);
			case "input" -> this.scopes.input(organization, call);
			case "cached" -> this.scopes.cached(organization, call);
			case "written" -> this.scopes.written(organization, call);
			case "output" -> this.scopes.output(organization, call);
			case "reasoning" -> this.scopes.reasoning(organization, call);
			default -> throw new IllegalArgumentException(meter);
		};
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ScopesConfiguration {

		@Bean
		MeteredScopes meteredScopes() {
			return new MeteredScopes();
		}

	}

	/** One {@code @MeteredUsage} method per meter, each running the call it is given. */
	static class MeteredScopes {

		@MeteredUsage(value = "ai-tokens", organization = "#organization")
		<T> T aiTokens(String organization, Supplier<T> call) {
			return call.get();
		}

		@MeteredUsage(value = "input", organization = "#organization")
		<T> T input(String organization, Supplier<T> call) {
			return call.get();
		}

		@MeteredUsage(value = "cached", organization = "#organization")
		<T> T cached(String organization, Supplier<T> call) {
			return call.get();
		}

		@MeteredUsage(value = "written", organization = "#organization")
		<T> T written(String organization, Supplier<T> call) {
			return call.get();
		}

		@MeteredUsage(value = "output", organization = "#organization")
		<T> T output(String organization, Supplier<T> call) {
			return call.get();
		}

		@MeteredUsage(value = "reasoning", organization = "#organization")
		<T> T reasoning(String organization, Supplier<T> call) {
			return call.get();
		}

	}

}
