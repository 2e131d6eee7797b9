/**
 * The embedded local meter, the provider that needs no keys and no services.
 */
@NullMarked
package dev.metering.provider.local;

import org.jspecify.annotations.NullMarked;
