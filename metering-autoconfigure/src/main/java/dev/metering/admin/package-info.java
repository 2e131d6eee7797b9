/**
 * Operations for the people who run the application: what waits for delivery, and the
 * dead letters, to re-drive once their cause is fixed.
 */
@NullMarked
package dev.metering.admin;

import org.jspecify.annotations.NullMarked;
