/**
 * A demo application: the usage dashboard, chat endpoints billed to the logged-in user's
 * organization, and who pays in its own table.
 */
@NullMarked
package dev.metering.sample;

import org.jspecify.annotations.NullMarked;
