/**
 * A demo application on WebFlux: a streaming chat endpoint billed to the logged-in user's
 * organization through the reactive security context.
 */
@NullMarked
package dev.metering.sample.reactive;

import org.jspecify.annotations.NullMarked;
