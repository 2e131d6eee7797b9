/**
 * Prices of AI usage: rates per model and type of token, and the rounding carried per
 * customer so that whole credits sent to a provider never drift from the exact priced
 * total.
 */
@NullMarked
package dev.metering.pricing;

import org.jspecify.annotations.NullMarked;
