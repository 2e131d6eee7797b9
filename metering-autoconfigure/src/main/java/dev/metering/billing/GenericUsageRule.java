package dev.metering.billing;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.metadata.Usage;

import dev.metering.provider.TokenUsage;

/**
 * Usage of a provider no other rule knows (Mistral, Ollama, DeepSeek's own module, Gemini
 * without extended usage metadata, usage summed over rounds, a model of the application's
 * own), read from Spring AI's {@code Usage} alone. Cache tokens are within the prompt
 * tokens, as most providers count them, unless they are more than the prompt or the
 * reported total counts them on top of prompt and completion. Reasoning tokens are read
 * from a native usage kept as OpenAI's wire format
 * ({@code completion_tokens_details.reasoning_tokens}, within the completion). Whatever
 * else the total counts is billed as reasoning by {@link UsageRules}.
 */
final class GenericUsageRule implements UsageRule {

	@Override
	public boolean reads(Object nativeUsage) {
		return true;
	}

	@Override
	public TokenUsage tokensOf(Usage usage) {
		long prompt = UsageRules.count(usage.getPromptTokens());
		long completion = UsageRules.count(usage.getCompletionTokens());
		long cacheRead = UsageRules.count(usage.getCacheReadInputTokens());
		long cacheWrite = UsageRules.count(usage.getCacheWriteInputTokens());
		long reasoning = Math.min(wireReasoningTokens(usage.getNativeUsage()), completion);
		long cache = cacheRead + cacheWrite;
		if (cache > 0 && UsageRules.count(usage.getTotalTokens()) >= prompt + completion + cache) {
			return PromptCache.apart(prompt, cacheRead, cacheWrite, completion - reasoning, reasoning);
		}
		return PromptCache.within(prompt, cacheRead, cacheWrite, completion - reasoning, reasoning);
	}

	private static long wireReasoningTokens(@Nullable Object nativeUsage) {
		if (nativeUsage instanceof Map<?, ?> usage
				&& usage.get("completion_tokens_details") instanceof Map<?, ?> details
				&& details.get("reasoning_tokens") instanceof Number reasoning) {
			return UsageRules.count(reasoning);
		}
		return 0;
	}

}
