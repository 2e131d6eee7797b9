/**
 * The embedded local meter, the provider that needs no keys and no services.
 */
package dev.metering.provider.local;
