/**
 * The ChatClient advisor that meters every model round trip, and its companion that
 * settles who is billed.
 */
@NullMarked
package dev.metering.advisor;

import org.jspecify.annotations.NullMarked;
