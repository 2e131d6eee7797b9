package dev.metering.billing;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

import dev.metering.provider.TokenUsage;

/**
 * What a response says about the round trip that made it: the tokens the model reported,
 * by type, its text and the model that answered.
 * <p>
 * Spring AI reports prompt and completion tokens, the prompt tokens read from and written
 * to the provider's cache, a total, and the provider's own usage object. Providers count
 * those differently (cache tokens within the prompt or on top of it, reasoning within the
 * completion or only in the total): the {@link UsageRule} of the provider, chosen by its
 * usage object, tells which, so that each token lands in exactly one type and none that
 * the provider counts is left out.
 */
final class ReportedTokens {

	private ReportedTokens() {
	}

	/**
	 * The tokens the model reported in a response, or {@code null} when it reported none.
	 */
	static @Nullable TokenUsage of(@Nullable ChatResponse response) {
		if (response == null || response.getMetadata() == null) {
			return null;
		}
		Usage usage = response.getMetadata().getUsage();
		if (usage == null) {
			return null;
		}
		TokenUsage tokens = UsageRules.tokensOf(usage);
		return (tokens.total() > 0) ? tokens : null;
	}

	/** The model that answered, as the response names it, or {@code null}. */
	static @Nullable String modelOf(@Nullable ChatResponse response) {
		if (response == null || response.getMetadata() == null) {
			return null;
		}
		String model = response.getMetadata().getModel();
		return (model != null && !model.isEmpty()) ? model : null;
	}

	/** The text the model generated in a response (or chunk). */
	static String textOf(@Nullable ChatResponse response) {
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

	/** How many characters of text a chunk carries, read without copying them. */
	static long textLengthOf(@Nullable ChatResponse response) {
		if (response == null) {
			return 0;
		}
		List<Generation> generations = response.getResults();
		long length = 0;
		for (int i = 0; i < generations.size(); i++) {
			AssistantMessage output = generations.get(i).getOutput();
			String text = (output != null) ? output.getText() : null;
			length += (text != null) ? text.length() : 0;
		}
		return length;
	}

}
