package dev.metering.provider;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A customer's prepaid balance at the provider: what the commits and credits available to
 * it now grant, and what is left of them, which the provider burns down as usage arrives.
 * Amounts are in the provider's unit of the balance (Metronome: a credit type, such as
 * USD cents or a custom pricing unit; Stripe: the meter's unit, converted from money with
 * the meter's price; Polar: the meter's own units), rounded down, so that a balance is
 * never overstated.
 *
 * @param customerId the provider's customer
 * @param unit the provider's name of the amounts' unit
 * @param granted what the commits and credits available now grant, in their current
 * segments
 * @param remaining what is left of them now
 * @param nextExpiry when the first of them ends, or {@code null} when none ends
 * @since 0.1.0
 */
public record ProviderBalance(String customerId, String unit, long granted, long remaining,
		@Nullable Instant nextExpiry) {
}
