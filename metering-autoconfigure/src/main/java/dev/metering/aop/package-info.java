/**
 * The aspect that meters methods annotated with MeteredUsage, with its restricted
 * expressions.
 */
package dev.metering.aop;
