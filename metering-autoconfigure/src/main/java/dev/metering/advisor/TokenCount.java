package dev.metering.advisor;

import java.util.Optional;

import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

/**
 * Prompt and completion tokens of one model round trip.
 */
record TokenCount(long prompt, long completion) {

	/** The usage the model reported in a response, if it reported any. */
	static Optional<TokenCount> reportedBy(ChatResponse response) {
		if (response == null || response.getMetadata() == null) {
			return Optional.empty();
		}
		Usage usage = response.getMetadata().getUsage();
		if (usage == null) {
			return Optional.empty();
		}
		long prompt = valueOf(usage.getPromptTokens());
		long completion = valueOf(usage.getCompletionTokens());
		return (prompt + completion > 0) ? Optional.of(new TokenCount(prompt, completion)) : Optional.empty();
	}

	/** The text the model generated in a response (or chunk). */
	static String textOf(ChatResponse response) {
		if (response == null) {
			return "";
		}
		StringBuilder text = new StringBuilder();
		for (Generation generation : response.getResults()) {
			if (generation.getOutput() != null && generation.getOutput().getText() != null) {
				text.append(generation.getOutput().getText());
			}
		}
		return text.toString();
	}

	private static long valueOf(Integer tokens) {
		return (tokens != null) ? Math.max(tokens, 0) : 0;
	}

}
