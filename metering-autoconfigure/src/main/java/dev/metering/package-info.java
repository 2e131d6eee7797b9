/**
 * The public API of Spring AI Metering: what applications code against (BillingClient,
 * MeteredUsage, MeteringContext, MeteringAdvisor, the results they answer and the
 * exceptions they throw); it depends on nothing else of the library.
 */
@NullMarked
package dev.metering;

import org.jspecify.annotations.NullMarked;
