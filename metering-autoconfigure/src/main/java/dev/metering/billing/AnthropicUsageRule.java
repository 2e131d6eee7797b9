package dev.metering.billing;

import org.springframework.ai.chat.metadata.Usage;

import dev.metering.provider.TokenUsage;

/**
 * Anthropic's usage, as Spring AI's Anthropic module reports it with the Anthropic SDK's
 * usage (a call's {@code Usage}, a stream's {@code MessageDeltaUsage}, their beta kin):
 * its {@code input_tokens} are the prompt tokens read fresh, so
 * {@code cache_read_input_tokens} and {@code cache_creation_input_tokens} come on top of
 * them, whatever their size. Thinking tokens are part of {@code output_tokens} and
 * reported nowhere apart: they count as output. The SDK's package tells its usage types,
 * so none of them is loaded to tell.
 */
final class AnthropicUsageRule implements UsageRule {

	private static final String SDK_PACKAGE = "com.anthropic.";

	@Override
	public boolean reads(Object nativeUsage) {
		return nativeUsage.getClass().getName().startsWith(SDK_PACKAGE);
	}

	@Override
	public TokenUsage tokensOf(Usage usage) {
		return PromptCache.apart(UsageRules.count(usage.getPromptTokens()),
				UsageRules.count(usage.getCacheReadInputTokens()), UsageRules.count(usage.getCacheWriteInputTokens()),
				UsageRules.count(usage.getCompletionTokens()), 0);
	}

}
