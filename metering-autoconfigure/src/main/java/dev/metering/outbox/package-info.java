/**
 * The outbox: holds each recorded usage event, in memory or in the application's
 * database, from the moment it is recorded until the provider has it or has refused it
 * for good.
 */
@NullMarked
package dev.metering.outbox;

import org.jspecify.annotations.NullMarked;
