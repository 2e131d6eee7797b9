package dev.metering.limits;

/**
 * What a model call may use, told before it runs: its prompt's tokens, estimated, and the
 * completion's cap when the request sets one. Plan admission reserves the prompt plus the cap,
 * or plus {@code metering.limits.completion-estimate} when there is no cap.
 *
 * @param promptTokens the prompt's tokens, estimated
 * @param maxTokens the request's max-tokens option, or {@code null} when it sets none
 */
public record CallEstimate(long promptTokens, Integer maxTokens) {

	/** Work whose size is known only when it ends, checked against a limit before it starts. */
	public static final CallEstimate NOTHING = new CallEstimate(0, 0);

	/**
	 * The tokens to reserve for the call.
	 * @param completionEstimate the completion reserved when the request sets no cap
	 */
	public long tokens(long completionEstimate) {
		return this.promptTokens + ((this.maxTokens != null) ? this.maxTokens : completionEstimate);
	}

}
