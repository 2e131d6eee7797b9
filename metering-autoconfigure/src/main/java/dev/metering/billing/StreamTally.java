package dev.metering.billing;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.model.ChatResponse;

import dev.metering.provider.TokenUsage;

/**
 * What a streamed round trip has produced so far: the usage the model reported (it
 * arrives in the last chunk) and the model that answered, else how many characters of
 * text it sent, to estimate from when the stream ends early. It keeps no text: observing
 * a chunk allocates nothing.
 */
final class StreamTally {

	private @Nullable TokenUsage reported;

	private @Nullable String model;

	private long characters;

	private boolean anyChunk;

	private boolean settled;

	synchronized void observe(@Nullable ChatResponse chunk) {
		if (chunk == null) {
			return;
		}
		this.anyChunk = true;
		TokenUsage usage = ReportedTokens.of(chunk);
		if (usage != null) {
			this.reported = usage;
		}
		String answered = ReportedTokens.modelOf(chunk);
		if (answered != null) {
			this.model = answered;
		}
		this.characters += ReportedTokens.textLengthOf(chunk);
	}

	/** The usage the model reported, or {@code null} when none came. */
	synchronized @Nullable TokenUsage reported() {
		return this.reported;
	}

	/** The model the chunks named, or {@code null}. */
	synchronized @Nullable String model() {
		return this.model;
	}

	/** Whether the model sent anything at all, so that tokens were spent. */
	synchronized boolean producedOutput() {
		return this.anyChunk;
	}

	/**
	 * Claims the one settlement of this stream; {@code false} when it was already
	 * claimed.
	 */
	synchronized boolean markSettled() {
		if (this.settled) {
			return false;
		}
		this.settled = true;
		return true;
	}

	/** How many characters of text the chunks carried. */
	synchronized long characters() {
		return this.characters;
	}

}
