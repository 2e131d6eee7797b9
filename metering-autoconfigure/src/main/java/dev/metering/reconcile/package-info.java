/**
 * Reconciliation: checks, per customer and meter over a closed window, that the provider
 * counted what the outbox delivered, and reports the drift.
 */
@NullMarked
package dev.metering.reconcile;

import org.jspecify.annotations.NullMarked;
