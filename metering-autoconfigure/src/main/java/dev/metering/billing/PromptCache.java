package dev.metering.billing;

import dev.metering.provider.TokenUsage;

/**
 * The prompt's tokens by type, for the two ways providers count their cache: within the
 * prompt tokens (OpenAI, Gemini, DeepSeek: the prompt is every token read, cached or not)
 * or on top of them (Anthropic, Bedrock Converse: the prompt is only what was read
 * fresh).
 */
final class PromptCache {

	private PromptCache() {
	}

	/**
	 * Cache tokens counted within the prompt tokens, unless there are more of them than
	 * the prompt has: then they can only be on top of it.
	 */
	static TokenUsage within(long prompt, long cacheRead, long cacheWrite, long output, long reasoning) {
		if (cacheRead + cacheWrite > prompt) {
			return apart(prompt, cacheRead, cacheWrite, output, reasoning);
		}
		return new TokenUsage(prompt - cacheRead - cacheWrite, cacheRead, cacheWrite, output, reasoning);
	}

	/**
	 * Cache tokens counted on top of the prompt tokens, which are the input read fresh.
	 */
	static TokenUsage apart(long prompt, long cacheRead, long cacheWrite, long output, long reasoning) {
		return new TokenUsage(prompt, cacheRead, cacheWrite, output, reasoning);
	}

}
