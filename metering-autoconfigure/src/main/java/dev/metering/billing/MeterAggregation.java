package dev.metering.billing;

/**
 * How the provider's meter aggregates its events; only sums may be coalesced.
 */
public enum MeterAggregation {

	SUM, COUNT, LAST

}
