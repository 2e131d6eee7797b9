/**
 * Plan limits: the plans and their limits, billing periods, and the usage ledger that
 * admits calls against them.
 */
@NullMarked
package dev.metering.limits;

import org.jspecify.annotations.NullMarked;
