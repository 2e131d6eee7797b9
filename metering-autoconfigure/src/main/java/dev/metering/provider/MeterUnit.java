package dev.metering.provider;

/**
 * What a meter's values count.
 *
 * @since 0.1.0
 */
public enum MeterUnit {

	/** Tokens, as the model reported them. */
	TOKENS,
	/**
	 * Credits: the tokens priced by model and type of token ({@code metering.pricing}).
	 */
	CREDITS

}
