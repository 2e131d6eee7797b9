/**
 * Plan limits: the plans and their limits, billing periods, and the usage ledger that
 * admits calls against them.
 */
package dev.metering.limits;
