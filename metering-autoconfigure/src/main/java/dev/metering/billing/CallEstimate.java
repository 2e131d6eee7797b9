package dev.metering.billing;

import org.jspecify.annotations.Nullable;

/**
 * What a model call may use, told before it runs: its prompt's tokens, estimated, the
 * completion's cap when the request sets one, and the model it asks for. Plan admission
 * reserves the prompt plus the cap, or plus {@code metering.limits.completion-estimate}
 * when there is no cap, priced by that model on a credits meter.
 *
 * @param promptTokens the prompt's tokens, estimated
 * @param maxTokens the request's max-tokens option, or {@code null} when it sets none
 * @param model the model the request asks for, or {@code null} when unknown
 */
record CallEstimate(long promptTokens, @Nullable Integer maxTokens, @Nullable String model) {

	/**
	 * Work whose size is known only when it ends, checked against a limit before it
	 * starts.
	 */
	public static final CallEstimate NOTHING = new CallEstimate(0, 0, null);

	/** A call to a model not named. */
	CallEstimate(long promptTokens, @Nullable Integer maxTokens) {
		this(promptTokens, maxTokens, null);
	}

	/** The same call, with another completion cap. */
	public CallEstimate withMaxTokens(@Nullable Integer maxTokens) {
		return new CallEstimate(this.promptTokens, maxTokens, this.model);
	}

	/**
	 * The completion tokens to reserve for the call.
	 * @param completionEstimate the completion reserved when the request sets no cap
	 */
	public long completionTokens(long completionEstimate) {
		return (this.maxTokens != null) ? this.maxTokens : completionEstimate;
	}

	/**
	 * The tokens to reserve for the call.
	 * @param completionEstimate the completion reserved when the request sets no cap
	 */
	public long tokens(long completionEstimate) {
		return this.promptTokens + completionTokens(completionEstimate);
	}

}
