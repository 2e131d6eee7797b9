/**
 * The seam to billing providers: the MeterProvider interface, the types it speaks, and
 * the caches its look-ups go through.
 */
package dev.metering.provider;
