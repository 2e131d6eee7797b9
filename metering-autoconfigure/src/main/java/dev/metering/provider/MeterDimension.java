package dev.metering.provider;

/**
 * A dimension a meter's events carry beside their value.
 *
 * @since 0.1.0
 */
public enum MeterDimension {

	/** The model that answered. */
	MODEL,
	/** The type of token: a call's usage becomes one event per type. */
	TOKEN_TYPE

}
