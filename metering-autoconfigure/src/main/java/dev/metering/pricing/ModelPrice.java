package dev.metering.pricing;

import dev.metering.provider.TokenKind;
import dev.metering.provider.TokenUsage;

/**
 * What one token of each type costs on one model, in units of a credit fixed by the
 * {@link PriceList} (its {@linkplain PriceList#unitsPerCredit() units per credit}), so
 * that pricing a call is exact integer arithmetic.
 * <p>
 * What an application reads from a {@link PriceList}, its own or the one built from the
 * properties.
 *
 * @since 0.1.0
 */
public final class ModelPrice {

	private static final TokenKind[] PROMPT_TYPES = { TokenKind.INPUT, TokenKind.CACHED_INPUT,
			TokenKind.CACHE_WRITE_INPUT };

	private final String pattern;

	private final long input;

	private final long cachedInput;

	private final long cacheWriteInput;

	private final long output;

	private final long reasoning;

	/**
	 * @param pattern the configured pattern this price comes from, for messages
	 */
	ModelPrice(String pattern, long input, long cachedInput, long cacheWriteInput, long output, long reasoning) {
		this.pattern = pattern;
		this.input = input;
		this.cachedInput = cachedInput;
		this.cacheWriteInput = cacheWriteInput;
		this.output = output;
		this.reasoning = reasoning;
	}

	/** The configured pattern, or {@code default}. */
	public String pattern() {
		return this.pattern;
	}

	/** The price of one token of a type (one of {@link TokenKind#types()}), in units. */
	public long perToken(TokenKind type) {
		return switch (type) {
			case INPUT -> this.input;
			case CACHED_INPUT -> this.cachedInput;
			case CACHE_WRITE_INPUT -> this.cacheWriteInput;
			case OUTPUT -> this.output;
			case REASONING -> this.reasoning;
			default -> 0;
		};
	}

	/**
	 * The exact price, in units, of the tokens a meter of kind {@code kind} counts.
	 * @throws ArithmeticException when it does not fit in a {@code long}
	 */
	public long units(TokenKind kind, TokenUsage tokens) {
		return switch (kind) {
			case TOTAL -> Math.addExact(
					Math.addExact(Math.multiplyExact(tokens.input(), this.input),
							Math.multiplyExact(tokens.cachedInput(), this.cachedInput)),
					Math.addExact(Math.multiplyExact(tokens.cacheWriteInput(), this.cacheWriteInput),
							Math.addExact(Math.multiplyExact(tokens.output(), this.output),
									Math.multiplyExact(tokens.reasoning(), this.reasoning))));
			case NONE -> 0;
			default -> Math.multiplyExact(kind.count(tokens), perToken(kind));
		};
	}

	/**
	 * The most a prompt token may cost on a meter of kind {@code kind}, for a reservation
	 * made before it is known how the prompt will be read.
	 */
	public long promptTokenAtMost(TokenKind kind) {
		long most = 0;
		for (TokenKind type : PROMPT_TYPES) {
			if (kind.includes(type)) {
				most = Math.max(most, perToken(type));
			}
		}
		return most;
	}

	/**
	 * The most a completion token may cost on a meter of kind {@code kind}: shown or
	 * reasoning.
	 */
	public long completionTokenAtMost(TokenKind kind) {
		long most = kind.includes(TokenKind.OUTPUT) ? this.output : 0;
		return kind.includes(TokenKind.REASONING) ? Math.max(most, this.reasoning) : most;
	}

	@Override
	public String toString() {
		return "ModelPrice[" + this.pattern + "]";
	}

}
