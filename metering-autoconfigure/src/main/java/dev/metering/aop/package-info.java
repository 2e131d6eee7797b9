/**
 * The aspect that meters methods annotated with MeteredUsage, with its restricted
 * expressions.
 */
@NullMarked
package dev.metering.aop;

import org.jspecify.annotations.NullMarked;
