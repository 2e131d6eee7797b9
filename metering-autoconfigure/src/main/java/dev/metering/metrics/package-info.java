/**
 * Micrometer meters: those metering's observations yield, the gauges of the outbox, and
 * the metrics of the caches metering builds.
 */
@NullMarked
package dev.metering.metrics;

import org.jspecify.annotations.NullMarked;
