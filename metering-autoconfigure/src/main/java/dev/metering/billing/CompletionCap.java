package dev.metering.billing;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.util.ClassUtils;

/**
 * A request's completion cap: Spring AI's max-tokens option, or OpenAI's
 * max-completion-tokens (which reasoning models take instead); read for the limit
 * reservation, and lowered when {@code metering.limits.on-limit} is {@code cap} and the
 * budget pays for less.
 */
final class CompletionCap {

	private static final boolean OPENAI_PRESENT = ClassUtils
		.isPresent("org.springframework.ai.openai.OpenAiChatOptions", CompletionCap.class.getClassLoader());

	private CompletionCap() {
	}

	/**
	 * The most completion tokens the request allows, or {@code null} when it sets no cap.
	 */
	static @Nullable Integer maxTokensOf(ChatOptions options) {
		Integer maxTokens = options.getMaxTokens();
		if (maxTokens == null && OPENAI_PRESENT) {
			return OpenAi.maxCompletionTokens(options);
		}
		return maxTokens;
	}

	/**
	 * The request with its completion capped at {@code maxTokens}: a copy of its options
	 * (of the model's own type) with max-tokens lowered, or OpenAI's
	 * max-completion-tokens when that is the cap the request sets.
	 */
	static ChatClientRequest lowered(ChatClientRequest request, int maxTokens) {
		Prompt prompt = request.prompt();
		ChatOptions options = prompt.getOptions();
		ChatOptions capped;
		if (options == null) {
			capped = ChatOptions.builder().maxTokens(maxTokens).build();
		}
		else if (OPENAI_PRESENT && OpenAi.setsMaxCompletionTokens(options)) {
			capped = OpenAi.withMaxCompletionTokens(options, maxTokens);
		}
		else {
			capped = options.mutate().maxTokens(maxTokens).build();
		}
		return request.mutate().prompt(prompt.mutate().chatOptions(capped).build()).build();
	}

	/**
	 * OpenAI's options, apart so that nothing loads them when Spring AI's OpenAI module
	 * is absent.
	 */
	private static final class OpenAi {

		static @Nullable Integer maxCompletionTokens(ChatOptions options) {
			return (options instanceof OpenAiChatOptions openAi) ? openAi.getMaxCompletionTokens() : null;
		}

		static boolean setsMaxCompletionTokens(ChatOptions options) {
			return maxCompletionTokens(options) != null;
		}

		static ChatOptions withMaxCompletionTokens(ChatOptions options, int maxTokens) {
			return ((OpenAiChatOptions) options).mutate().maxCompletionTokens(maxTokens).build();
		}

	}

}
