package dev.metering.billing;

import java.util.Objects;
import java.util.Optional;

import com.openai.core.JsonNumber;
import com.openai.core.JsonValue;
import com.openai.models.completions.CompletionUsage;

import org.springframework.ai.chat.metadata.Usage;
import org.springframework.util.ClassUtils;

import dev.metering.provider.TokenUsage;

/**
 * OpenAI's chat completions usage, as the OpenAI SDK that Spring AI's OpenAI module
 * (OpenAI, Azure OpenAI, any OpenAI-compatible server) reads it: {@code prompt_tokens}
 * counts every prompt token, {@code prompt_tokens_details.cached_tokens} (Spring AI's
 * cache-read tokens) among them; {@code completion_tokens} counts every completion token,
 * {@code completion_tokens_details.reasoning_tokens} among them, which Spring AI does not
 * carry. A server that counts its cache hits as DeepSeek does, in
 * {@code prompt_cache_hit_tokens} (also part of the prompt tokens), has them read from
 * there when it leaves out OpenAI's field.
 */
final class OpenAiUsageRule implements UsageRule {

	private static final boolean SDK_PRESENT = ClassUtils.isPresent("com.openai.models.completions.CompletionUsage",
			OpenAiUsageRule.class.getClassLoader());

	@Override
	public boolean reads(Object nativeUsage) {
		return SDK_PRESENT && Sdk.isUsage(nativeUsage);
	}

	@Override
	public TokenUsage tokensOf(Usage usage) {
		long prompt = UsageRules.count(usage.getPromptTokens());
		long completion = UsageRules.count(usage.getCompletionTokens());
		Long cacheRead = usage.getCacheReadInputTokens();
		Object nativeUsage = Objects.requireNonNull(usage.getNativeUsage(), "read only for OpenAI's usage");
		long cached = (cacheRead != null) ? UsageRules.count(cacheRead) : Sdk.cacheHitTokens(nativeUsage);
		long reasoning = Math.min(Sdk.reasoningTokens(nativeUsage), completion);
		return PromptCache.within(prompt, cached, UsageRules.count(usage.getCacheWriteInputTokens()),
				completion - reasoning, reasoning);
	}

	/** The OpenAI SDK's usage, apart so that nothing loads it when the SDK is absent. */
	private static final class Sdk {

		static boolean isUsage(Object nativeUsage) {
			return nativeUsage instanceof CompletionUsage;
		}

		static long reasoningTokens(Object nativeUsage) {
			Optional<CompletionUsage.CompletionTokensDetails> details = ((CompletionUsage) nativeUsage)
				.completionTokensDetails();
			return details.isPresent() ? UsageRules.count(details.get().reasoningTokens().orElse(null)) : 0;
		}

		static long cacheHitTokens(Object nativeUsage) {
			JsonValue hits = ((CompletionUsage) nativeUsage)._additionalProperties().get("prompt_cache_hit_tokens");
			return (hits instanceof JsonNumber number) ? UsageRules.count(number.value()) : 0;
		}

	}

}
