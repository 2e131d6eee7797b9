package dev.metering.billing;

import org.springframework.ai.chat.metadata.Usage;

import dev.metering.provider.TokenUsage;

/**
 * Bedrock Converse's usage, as Spring AI's Bedrock Converse module reports it with the
 * AWS SDK's {@code TokenUsage}: {@code inputTokens} are the prompt tokens read fresh, and
 * {@code cacheReadInputTokens} and {@code cacheWriteInputTokens} come on top of them, as
 * Anthropic counts them, whatever their size. Reasoning is part of {@code outputTokens}
 * and reported nowhere apart. The type's name tells it, so the AWS SDK is never loaded to
 * tell.
 */
final class BedrockUsageRule implements UsageRule {

	private static final String TOKEN_USAGE = "software.amazon.awssdk.services.bedrockruntime.model.TokenUsage";

	@Override
	public boolean reads(Object nativeUsage) {
		return nativeUsage.getClass().getName().equals(TOKEN_USAGE);
	}

	@Override
	public TokenUsage tokensOf(Usage usage) {
		return PromptCache.apart(UsageRules.count(usage.getPromptTokens()),
				UsageRules.count(usage.getCacheReadInputTokens()), UsageRules.count(usage.getCacheWriteInputTokens()),
				UsageRules.count(usage.getCompletionTokens()), 0);
	}

}
