package dev.metering.provider;

/**
 * The tokens of one model round trip by type. The types are disjoint: each token the
 * model processed is in exactly one of them, so their sum is every token of the round
 * trip.
 *
 * @param input prompt tokens read fresh
 * @param cachedInput prompt tokens read from the provider's prompt cache
 * @param cacheWriteInput prompt tokens written to the provider's prompt cache
 * @param output completion tokens shown, without reasoning
 * @param reasoning completion tokens spent reasoning
 * @since 0.1.0
 */
public record TokenUsage(long input, long cachedInput, long cacheWriteInput, long output, long reasoning) {

	/** Usage known only as prompt and completion, such as an estimate. */
	public static TokenUsage of(long promptTokens, long completionTokens) {
		return new TokenUsage(promptTokens, 0, 0, completionTokens, 0);
	}

	/** Every token of the round trip. */
	public long total() {
		return this.input + this.cachedInput + this.cacheWriteInput + this.output + this.reasoning;
	}

}
