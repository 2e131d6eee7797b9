package dev.metering.advisor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.anthropic.models.messages.Usage;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

import dev.metering.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the usage a model reports is split into types of token, each token in one type.
 */
class ReportedTokensTests {

	@Test
	void cachedTokensWithinThePromptAreTakenOutOfTheInput() {
		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(100, 50, 150, null, 60L, null)));

		assertThat(tokens).isEqualTo(new TokenUsage(40, 60, 0, 50, 0));
		assertThat(tokens.total()).isEqualTo(150);
	}

	@Test
	void cacheTokensBeyondThePromptComeOnTopOfItAsAnthropicCountsThem() {
		// Anthropic: input_tokens 40 read fresh, 60 read from and 30 written to the cache
		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(40, 10, 50, null, 60L, 30L)));

		assertThat(tokens).isEqualTo(new TokenUsage(40, 60, 30, 10, 0));
		assertThat(tokens.total()).isEqualTo(140);
	}

	@Test
	void anthropicsCacheTokensComeOnTopOfItsInputTokensWhateverTheirSize() {
		// what Spring AI's Anthropic model reports: input_tokens as prompt, the SDK's usage as native
		Usage anthropic = Usage.builder()
			.inputTokens(500)
			.outputTokens(10)
			.cacheReadInputTokens(100L)
			.cacheCreationInputTokens(20L)
			.cacheCreation(Optional.empty())
			.serverToolUse(Optional.empty())
			.serviceTier(Optional.empty())
			.inferenceGeo(Optional.empty())
			.speed(Optional.empty())
			.outputTokensDetails(Optional.empty())
			.build();

		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(500, 10, 510, anthropic, 100L, 20L)));

		assertThat(tokens).isEqualTo(new TokenUsage(500, 100, 20, 10, 0));
	}

	@Test
	void reasoningTokensOfOpenAisWireFormatAreTakenOutOfTheOutput() {
		Map<String, Object> wire = Map.of("completion_tokens_details", Map.of("reasoning_tokens", 20));

		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(100, 50, 150, wire)));

		assertThat(tokens).isEqualTo(new TokenUsage(100, 0, 0, 30, 20));
	}

	@Test
	void noUsageOrZeroTokensIsNothingReported() {
		assertThat(ReportedTokens.of(response(new DefaultUsage(0, 0)))).isNull();
		assertThat(ReportedTokens.of(new ChatResponse(List.of()))).isNull();
	}

	@Test
	void theModelIsTheOneTheResponseNames() {
		ChatResponse response = new ChatResponse(List.of(new Generation(new AssistantMessage("Hi"))),
				ChatResponseMetadata.builder().model("gpt-4o-2024-08-06").build());

		assertThat(ReportedTokens.modelOf(response)).isEqualTo("gpt-4o-2024-08-06");
		assertThat(ReportedTokens.modelOf(new ChatResponse(List.of()))).isNull();
	}

	private static ChatResponse response(DefaultUsage usage) {
		return new ChatResponse(List.of(new Generation(new AssistantMessage("Hi"))),
				ChatResponseMetadata.builder().usage(usage).build());
	}

}
