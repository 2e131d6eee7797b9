package dev.metering.billing;

import java.util.Objects;

import com.google.genai.types.GenerateContentResponseUsageMetadata;

import org.springframework.ai.chat.metadata.Usage;
import org.springframework.util.ClassUtils;

import dev.metering.provider.TokenUsage;

/**
 * Gemini's usage metadata, as Spring AI's Google GenAI module reports it with the Google
 * GenAI SDK's {@code GenerateContentResponseUsageMetadata} (its default, extended usage
 * metadata): {@code promptTokenCount} counts every prompt token,
 * {@code cachedContentTokenCount} among them; {@code candidatesTokenCount} counts the
 * answer only. A thinking model's {@code thoughtsTokenCount}, which Google bills as
 * output, and the {@code toolUsePromptTokenCount} of what its tools (search, code
 * execution) fed back to it, billed as input, are in neither: only
 * {@code totalTokenCount} has them. They are billed as reasoning and input.
 */
final class GeminiUsageRule implements UsageRule {

	private static final boolean SDK_PRESENT = ClassUtils.isPresent(
			"com.google.genai.types.GenerateContentResponseUsageMetadata", GeminiUsageRule.class.getClassLoader());

	@Override
	public boolean reads(Object nativeUsage) {
		return SDK_PRESENT && Sdk.isUsage(nativeUsage);
	}

	@Override
	public TokenUsage tokensOf(Usage usage) {
		return Sdk.tokensOf(Objects.requireNonNull(usage.getNativeUsage(), "read only for Gemini's usage"));
	}

	/**
	 * The Google GenAI SDK's usage, apart so that nothing loads it when the SDK is
	 * absent.
	 */
	private static final class Sdk {

		static boolean isUsage(Object nativeUsage) {
			return nativeUsage instanceof GenerateContentResponseUsageMetadata;
		}

		static TokenUsage tokensOf(Object nativeUsage) {
			GenerateContentResponseUsageMetadata metadata = (GenerateContentResponseUsageMetadata) nativeUsage;
			long prompt = UsageRules.count(metadata.promptTokenCount().orElse(null));
			long cached = UsageRules.count(metadata.cachedContentTokenCount().orElse(null));
			long toolUsePrompt = UsageRules.count(metadata.toolUsePromptTokenCount().orElse(null));
			TokenUsage promptTokens = PromptCache.within(prompt, cached, 0,
					UsageRules.count(metadata.candidatesTokenCount().orElse(null)),
					UsageRules.count(metadata.thoughtsTokenCount().orElse(null)));
			return new TokenUsage(promptTokens.input() + toolUsePrompt, promptTokens.cachedInput(), 0,
					promptTokens.output(), promptTokens.reasoning());
		}

	}

}
