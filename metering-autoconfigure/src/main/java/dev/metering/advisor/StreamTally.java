package dev.metering.advisor;

import java.util.Optional;

import org.springframework.ai.chat.model.ChatResponse;

/**
 * What a streamed round trip has produced so far: the usage the model reported (it arrives
 * in the last chunk), else the text seen, to estimate from when the stream ends early.
 */
final class StreamTally {

	private TokenCount reported;

	private final StringBuilder text = new StringBuilder();

	private boolean anyChunk;

	private boolean settled;

	synchronized void observe(ChatResponse chunk) {
		if (chunk == null) {
			return;
		}
		this.anyChunk = true;
		TokenCount.reportedBy(chunk).ifPresent((usage) -> this.reported = usage);
		this.text.append(TokenCount.textOf(chunk));
	}

	synchronized Optional<TokenCount> reported() {
		return Optional.ofNullable(this.reported);
	}

	/** Whether the model sent anything at all, so that tokens were spent. */
	synchronized boolean producedOutput() {
		return this.anyChunk;
	}

	/** Claims the one settlement of this stream; {@code false} when it was already claimed. */
	synchronized boolean markSettled() {
		if (this.settled) {
			return false;
		}
		this.settled = true;
		return true;
	}

	synchronized String text() {
		return this.text.toString();
	}

}
