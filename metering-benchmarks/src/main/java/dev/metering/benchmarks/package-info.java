/**
 * JMH benchmarks and load harnesses of the metered call path, the ledger, pricing and
 * delivery.
 */
@NullMarked
package dev.metering.benchmarks;

import org.jspecify.annotations.NullMarked;
