package dev.metering.billing;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.metadata.Usage;

import dev.metering.provider.TokenUsage;

/**
 * Picks the {@link UsageRule} of a response's provider, and makes sure that what it bills
 * is never below the total the provider reported: tokens a model counts in its total but
 * in none of the types (hidden thinking, say) are billed as {@code reasoning}, at the
 * output rate, the dearer one, so that a provider no rule knows is never billed short.
 */
final class UsageRules {

	/**
	 * Checked in order; a rule whose provider is absent from the class path reads
	 * nothing.
	 */
	private static final List<UsageRule> RULES = List.of(new OpenAiUsageRule(), new AnthropicUsageRule(),
			new GeminiUsageRule(), new BedrockUsageRule());

	private static final UsageRule GENERIC = new GenericUsageRule();

	private UsageRules() {
	}

	/**
	 * The tokens of a response's usage by type, at least as many as its reported total.
	 */
	static TokenUsage tokensOf(Usage usage) {
		TokenUsage tokens = ruleFor(usage.getNativeUsage()).tokensOf(usage);
		long rest = count(usage.getTotalTokens()) - tokens.total();
		if (rest <= 0) {
			return tokens;
		}
		return new TokenUsage(tokens.input(), tokens.cachedInput(), tokens.cacheWriteInput(), tokens.output(),
				tokens.reasoning() + rest);
	}

	private static UsageRule ruleFor(@Nullable Object nativeUsage) {
		if (nativeUsage == null) {
			return GENERIC;
		}
		for (UsageRule rule : RULES) {
			if (rule.reads(nativeUsage)) {
				return rule;
			}
		}
		return GENERIC;
	}

	/** A count of tokens as a provider reports it: absent or negative counts none. */
	static long count(@Nullable Number tokens) {
		return (tokens != null) ? Math.max(tokens.longValue(), 0) : 0;
	}

}
