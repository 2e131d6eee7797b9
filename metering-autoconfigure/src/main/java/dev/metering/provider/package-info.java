/**
 * The seam to billing providers: the MeterProvider interface, the types it speaks, and
 * the caches its look-ups go through.
 */
@NullMarked
package dev.metering.provider;

import org.jspecify.annotations.NullMarked;
