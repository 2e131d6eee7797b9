package dev.metering.provider;

/**
 * How the provider's meter aggregates its events; only sums may be coalesced.
 */
public enum MeterAggregation {

	SUM, COUNT, LAST

}
