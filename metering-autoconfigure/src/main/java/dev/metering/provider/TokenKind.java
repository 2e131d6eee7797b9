package dev.metering.provider;

import java.util.Locale;

/**
 * Which tokens of a model round trip feed a meter: all of them, one type, or none. The
 * five types are disjoint, so that meters on each of them together count every token
 * once.
 *
 * @since 0.1.0
 */
public enum TokenKind {

	/** Every token of the round trip: the five types below together. */
	TOTAL,
	/**
	 * Prompt tokens read fresh: neither read from nor written to the provider's cache.
	 */
	INPUT,
	/** Prompt tokens read from the provider's prompt cache. */
	CACHED_INPUT,
	/** Prompt tokens written to the provider's prompt cache. */
	CACHE_WRITE_INPUT,
	/** Completion tokens the model showed: the completion without its reasoning. */
	OUTPUT,
	/**
	 * Completion tokens the model spent reasoning, billed as output though never shown.
	 */
	REASONING,
	/** No ChatClient tokens: a meter fed by quantities or {@code recordUsage}. */
	NONE;

	/** The five types of token, each token of a round trip in exactly one of them. */
	private static final TokenKind[] TYPES = { INPUT, CACHED_INPUT, CACHE_WRITE_INPUT, OUTPUT, REASONING };

	private final String value = name().toLowerCase(Locale.ROOT).replace('_', '-');

	/**
	 * The types of token, in the order events of a meter with a token-type dimension are
	 * made.
	 */
	public static TokenKind[] types() {
		return TYPES.clone();
	}

	/** The tokens of this kind in a round trip's usage. */
	public long count(TokenUsage usage) {
		return switch (this) {
			case TOTAL -> usage.total();
			case INPUT -> usage.input();
			case CACHED_INPUT -> usage.cachedInput();
			case CACHE_WRITE_INPUT -> usage.cacheWriteInput();
			case OUTPUT -> usage.output();
			case REASONING -> usage.reasoning();
			case NONE -> 0;
		};
	}

	/**
	 * Whether tokens of {@code type} (one of the five types) feed a meter of this kind.
	 */
	public boolean includes(TokenKind type) {
		return this == type || (this == TOTAL && type != NONE);
	}

	/** Whether a meter of this kind counts prompt tokens of some type. */
	public boolean countsPrompt() {
		return this == TOTAL || this == INPUT || this == CACHED_INPUT || this == CACHE_WRITE_INPUT;
	}

	/** Whether a meter of this kind counts completion tokens of some type. */
	public boolean countsCompletion() {
		return this == TOTAL || this == OUTPUT || this == REASONING;
	}

	/**
	 * The name of a type of token as configured and as the token-type dimension says it,
	 * e.g. {@code cached-input}.
	 */
	public String value() {
		return this.value;
	}

}
