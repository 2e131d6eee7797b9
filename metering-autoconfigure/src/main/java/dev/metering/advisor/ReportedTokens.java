package dev.metering.advisor;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

import dev.metering.provider.TokenUsage;

/**
 * What a response says about the round trip that made it: the tokens the model reported, by
 * type, its text and the model that answered.
 * <p>
 * Spring AI reports prompt and completion tokens, and the prompt tokens read from and written
 * to the provider's cache. Providers count those differently: OpenAI's (and most others')
 * cached tokens are part of the prompt tokens, Anthropic's come on top of them. Reasoning
 * tokens, part of OpenAI's completion tokens, come from the provider's native usage
 * ({@link NativeUsage}). Each token lands in exactly one type.
 */
final class ReportedTokens {

	private ReportedTokens() {
	}

	/** The tokens the model reported in a response, or {@code null} when it reported none. */
	static TokenUsage of(ChatResponse response) {
		if (response == null || response.getMetadata() == null) {
			return null;
		}
		Usage usage = response.getMetadata().getUsage();
		if (usage == null) {
			return null;
		}
		long prompt = valueOf(usage.getPromptTokens());
		long completion = valueOf(usage.getCompletionTokens());
		if (prompt + completion <= 0) {
			return null;
		}
		long cacheRead = valueOf(usage.getCacheReadInputTokens());
		long cacheWrite = valueOf(usage.getCacheWriteInputTokens());
		Object nativeUsage = usage.getNativeUsage();
		// a provider that counts cache tokens apart from the prompt says so by its usage type, or
		// by reporting more of them than the prompt has
		boolean cacheApart = NativeUsage.countsCacheApartFromPrompt(nativeUsage) || cacheRead + cacheWrite > prompt;
		long input = cacheApart ? prompt : prompt - cacheRead - cacheWrite;
		long reasoning = Math.min(NativeUsage.reasoningTokens(nativeUsage), completion);
		return new TokenUsage(input, cacheRead, cacheWrite, completion - reasoning, reasoning);
	}

	/** The model that answered, as the response names it, or {@code null}. */
	static String modelOf(ChatResponse response) {
		if (response == null || response.getMetadata() == null) {
			return null;
		}
		String model = response.getMetadata().getModel();
		return (model != null && !model.isEmpty()) ? model : null;
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

	/** How many characters of text a chunk carries, read without copying them. */
	static long textLengthOf(ChatResponse response) {
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

	private static long valueOf(Number tokens) {
		return (tokens != null) ? Math.max(tokens.longValue(), 0) : 0;
	}

}
