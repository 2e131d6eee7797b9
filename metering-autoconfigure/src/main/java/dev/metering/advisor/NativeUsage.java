package dev.metering.advisor;

import java.util.Map;
import java.util.Optional;

import com.openai.models.completions.CompletionUsage;

import org.springframework.util.ClassUtils;

/**
 * What a provider's own usage object tells beyond Spring AI's {@code Usage}: the reasoning
 * tokens OpenAI counts within the completion ({@code completion_tokens_details.reasoning_tokens}),
 * and whether cache tokens come on top of the prompt tokens, as Anthropic counts them.
 */
final class NativeUsage {

	private static final boolean OPENAI_SDK_PRESENT = ClassUtils
		.isPresent("com.openai.models.completions.CompletionUsage", NativeUsage.class.getClassLoader());

	private static final String ANTHROPIC_SDK_PACKAGE = "com.anthropic.";

	private NativeUsage() {
	}

	/** Reasoning tokens, part of the completion tokens; 0 when the provider reports none. */
	static long reasoningTokens(Object nativeUsage) {
		if (nativeUsage == null) {
			return 0;
		}
		if (OPENAI_SDK_PRESENT && OpenAiSdk.isUsage(nativeUsage)) {
			return OpenAiSdk.reasoningTokens(nativeUsage);
		}
		// OpenAI's wire format, as a model that keeps the JSON answer reports it
		if (nativeUsage instanceof Map<?, ?> usage && usage.get("completion_tokens_details") instanceof Map<?, ?> details
				&& details.get("reasoning_tokens") instanceof Number reasoning) {
			return Math.max(reasoning.longValue(), 0);
		}
		return 0;
	}

	/**
	 * Whether the provider counts prompt tokens read from or written to its cache apart from
	 * the prompt tokens, as Anthropic does ({@code input_tokens} excludes both).
	 */
	static boolean countsCacheApartFromPrompt(Object nativeUsage) {
		return nativeUsage != null && nativeUsage.getClass().getName().startsWith(ANTHROPIC_SDK_PACKAGE);
	}

	/** The OpenAI Java SDK's usage, apart so that nothing loads it when the SDK is absent. */
	private static final class OpenAiSdk {

		static boolean isUsage(Object nativeUsage) {
			return nativeUsage instanceof CompletionUsage;
		}

		static long reasoningTokens(Object nativeUsage) {
			Optional<CompletionUsage.CompletionTokensDetails> details = ((CompletionUsage) nativeUsage)
				.completionTokensDetails();
			if (details.isEmpty()) {
				return 0;
			}
			Optional<Long> reasoning = details.get().reasoningTokens();
			return reasoning.isPresent() ? Math.max(reasoning.get(), 0) : 0;
		}

	}

}
