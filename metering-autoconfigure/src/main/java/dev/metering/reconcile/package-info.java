/**
 * Reconciliation: checks, per customer and meter over a closed window, that the provider
 * counted what the outbox delivered, and reports the drift.
 */
package dev.metering.reconcile;
