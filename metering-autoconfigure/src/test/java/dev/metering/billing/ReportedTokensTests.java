package dev.metering.billing;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.anthropic.models.messages.Usage;
import com.google.genai.types.GenerateContentResponseUsageMetadata;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.google.genai.metadata.GoogleGenAiUsage;

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
		// what Spring AI's Anthropic model reports: input_tokens as prompt, the SDK's
		// usage as native
		Usage anthropic = Usage.builder()
			.inputTokens(500)
			.outputTokens(10)
			.cacheReadInputTokens(100L)
			.cacheCreationInputTokens(20L)
			.cacheCreation(Optional.empty())
			.serverToolUse(Optional.empty())
			.serviceTier(Optional.empty())
			.inferenceGeo(Optional.empty())
			.outputTokensDetails(Optional.empty())
			.build();

		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(500, 10, 510, anthropic, 100L, 20L)));

		assertThat(tokens).isEqualTo(new TokenUsage(500, 100, 20, 10, 0));
	}

	@Test
	void aThinkingGeminiModelsThoughtsAndToolUsePromptAreBilledBeyondItsPromptAndCompletion() {
		// what Spring AI's Google GenAI model reports: candidates without thoughts, a
		// total with them
		GenerateContentResponseUsageMetadata gemini = GenerateContentResponseUsageMetadata
			.fromJson("{\"promptTokenCount\": 120, \"candidatesTokenCount\": 40, \"thoughtsTokenCount\": 800,"
					+ " \"toolUsePromptTokenCount\": 100, \"totalTokenCount\": 1060}");

		TokenUsage tokens = ReportedTokens.of(response(GoogleGenAiUsage.from(gemini)));

		assertThat(tokens).isEqualTo(new TokenUsage(220, 0, 0, 40, 800));
		assertThat(tokens.total()).isEqualTo(1060);
	}

	@Test
	void geminisCachedContentIsPartOfItsPrompt() {
		GenerateContentResponseUsageMetadata gemini = GenerateContentResponseUsageMetadata
			.fromJson("{\"promptTokenCount\": 1000, \"cachedContentTokenCount\": 600, \"candidatesTokenCount\": 50,"
					+ " \"totalTokenCount\": 1050}");

		assertThat(ReportedTokens.of(response(GoogleGenAiUsage.from(gemini))))
			.isEqualTo(new TokenUsage(400, 600, 0, 50, 0));
	}

	@Test
	void aTotalAboveWhatTheTypesCountIsBilledAsReasoningWhenNothingTellsWhatItIs() {
		// Gemini without extended usage metadata: prompt, candidates and total only
		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(120, 40, 1060)));

		assertThat(tokens).isEqualTo(new TokenUsage(120, 0, 0, 40, 900));
	}

	@Test
	void bedrockConversesCacheTokensComeOnTopOfItsInputTokensWhateverTheirSize() {
		// what Spring AI's Bedrock Converse model reports: inputTokens as prompt, the AWS
		// SDK's usage as native
		Object bedrock = software.amazon.awssdk.services.bedrockruntime.model.TokenUsage.builder()
			.inputTokens(500)
			.outputTokens(10)
			.totalTokens(630)
			.cacheReadInputTokens(100)
			.cacheWriteInputTokens(20)
			.build();

		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(500, 10, 630, bedrock, 100L, 20L)));

		assertThat(tokens).isEqualTo(new TokenUsage(500, 100, 20, 10, 0));
	}

	@Test
	void cacheTokensThatTheTotalCountsOnTopOfThePromptComeOnTopOfItForAnUnknownProvider() {
		TokenUsage tokens = ReportedTokens.of(response(new DefaultUsage(500, 10, 630, null, 100L, 20L)));

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
