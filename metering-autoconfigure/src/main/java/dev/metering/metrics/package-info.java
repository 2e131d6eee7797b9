/**
 * Micrometer counters of what metering does to calls.
 */
package dev.metering.metrics;
