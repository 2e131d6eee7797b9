/**
 * Locks across the instances of an application that share a database, so that work every
 * instance is scheduled to do (reconciliation, the hourly purges) is done by one of them.
 */
@NullMarked
package dev.metering.lock;

import org.jspecify.annotations.NullMarked;
