package dev.metering.advisor;

import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.util.ClassUtils;

/**
 * A request's completion cap: Spring AI's max-tokens option, or OpenAI's max-completion-tokens
 * (which reasoning models take instead).
 */
final class CompletionCap {

	private static final boolean OPENAI_PRESENT = ClassUtils
		.isPresent("org.springframework.ai.openai.OpenAiChatOptions", CompletionCap.class.getClassLoader());

	private CompletionCap() {
	}

	/** The most completion tokens the request allows, or {@code null} when it sets no cap. */
	static Integer maxTokensOf(ChatOptions options) {
		Integer maxTokens = options.getMaxTokens();
		if (maxTokens == null && OPENAI_PRESENT) {
			return OpenAi.maxCompletionTokens(options);
		}
		return maxTokens;
	}

	/** OpenAI's options, apart so that nothing loads them when Spring AI's OpenAI module is absent. */
	private static final class OpenAi {

		static Integer maxCompletionTokens(ChatOptions options) {
			return (options instanceof OpenAiChatOptions openAi) ? openAi.getMaxCompletionTokens() : null;
		}

	}

}
