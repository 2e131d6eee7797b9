package dev.metering.provider;

/**
 * How the provider's meter aggregates its events; only sums may be coalesced.
 *
 * @since 0.1.0
 */
public enum MeterAggregation {

	SUM, COUNT, LAST

}
