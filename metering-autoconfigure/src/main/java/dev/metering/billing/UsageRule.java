package dev.metering.billing;

import org.springframework.ai.chat.metadata.Usage;

import dev.metering.provider.TokenUsage;

/**
 * How one provider family's usage reads as the five types of token. Providers count alike
 * things apart or together (cache tokens inside the prompt or on top of it, reasoning
 * inside the completion or beside it), and only the provider's own usage object tells
 * which: a rule per family is chosen by that object's type
 * ({@link Usage#getNativeUsage()}).
 */
interface UsageRule {

	/**
	 * Whether this rule reads usage whose provider-specific usage object is
	 * {@code nativeUsage}.
	 */
	boolean reads(Object nativeUsage);

	/**
	 * The tokens of a response by type, each token the provider counted in exactly one of
	 * them.
	 */
	TokenUsage tokensOf(Usage usage);

}
