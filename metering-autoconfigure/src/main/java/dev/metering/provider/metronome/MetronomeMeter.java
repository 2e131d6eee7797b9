package dev.metering.provider.metronome;

import org.jspecify.annotations.Nullable;

/**
 * What Metronome needs to know of a meter beside its definition.
 *
 * @param valueKey the key of the usage event properties that carries the value, which the
 * meter's billable metric sums
 * @param creditTypeId the credit type of the commits and credits the meter's usage draws
 * on, or {@code null} when the customer's balances are all of one
 */
record MetronomeMeter(String valueKey, @Nullable String creditTypeId) {
}
