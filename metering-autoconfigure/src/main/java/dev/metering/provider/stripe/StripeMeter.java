package dev.metering.provider.stripe;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;

/**
 * What Stripe needs to know of a meter beside its definition: the price that converts
 * money into the meter's unit.
 *
 * @param unitAmountDecimal the price of one unit of the meter in the currency's smallest
 * unit, or {@code null} when none is configured
 * @param currency the currency of that price, or {@code null} when the customer's credit
 * grants are all in one
 * @param priceId the Stripe price whose amount per unit is read when none is configured,
 * or {@code null}
 */
record StripeMeter(@Nullable BigDecimal unitAmountDecimal, @Nullable String currency, @Nullable String priceId) {
}
