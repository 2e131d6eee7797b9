package dev.metering.provider.stripe;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.ProviderBalance;

/**
 * A customer's billing credits as Stripe keeps them, in money: its credit grants that
 * apply to metered prices, and the available balance of the credit balance summary in
 * each currency. Kept as Stripe answered them, so that a grant that expires while they
 * are cached is left out when the balance is asked.
 *
 * @param customerId the Stripe customer
 * @param grants the customer's credit grants that apply to metered prices
 * @param available the available balance in each currency
 */
record StripeCredits(String customerId, List<Grant> grants, List<Money> available) {

	StripeCredits {
		grants = List.copyOf(grants);
		available = List.copyOf(available);
	}

	/**
	 * The balance in units of the meter: money divided by the price of a unit, rounded
	 * down, so that the balance never holds a unit it cannot pay.
	 * @param unit the name of the meter's unit
	 * @param unitAmount the price of one unit, in the currency's smallest unit
	 * @param currency the currency of the price, or {@code null} for the only one the
	 * grants available now are in
	 * @param currencyProperty the property that names the currency, for the error
	 * @param now what the grants are available at
	 * @return the balance, or {@code null} when no grant in the currency is available now
	 * @throws IllegalStateException when no currency is named and the grants available
	 * now are in several
	 */
	@Nullable ProviderBalance of(String unit, BigDecimal unitAmount, @Nullable String currency, String currencyProperty,
			Instant now) {
		List<Grant> availableNow = this.grants.stream().filter((grant) -> grant.availableAt(now)).toList();
		String wanted = (currency != null) ? currency.toLowerCase(Locale.ROOT)
				: onlyCurrency(availableNow, currencyProperty);
		List<Grant> matching = availableNow.stream().filter((grant) -> grant.amount().in(wanted)).toList();
		if (matching.isEmpty()) {
			return null;
		}
		long granted = 0;
		Instant nextExpiry = null;
		for (Grant grant : matching) {
			granted += grant.amount().value();
			Instant expires = grant.expiresAt();
			nextExpiry = (expires != null && (nextExpiry == null || expires.isBefore(nextExpiry))) ? expires
					: nextExpiry;
		}
		long remaining = this.available.stream().filter((money) -> money.in(wanted)).mapToLong(Money::value).sum();
		// a grant that expired since Stripe answered still counts in its summary
		remaining = Math.min(remaining, granted);
		return new ProviderBalance(this.customerId, unit, units(granted, unitAmount), units(remaining, unitAmount),
				nextExpiry);
	}

	private @Nullable String onlyCurrency(List<Grant> grants, String currencyProperty) {
		Set<String> currencies = new TreeSet<>();
		grants.forEach((grant) -> currencies.add(grant.amount().currency()));
		if (currencies.size() > 1) {
			throw new IllegalStateException(
					"The credit grants of Stripe customer " + this.customerId + " are in several currencies "
							+ currencies + ": set " + currencyProperty + " to the currency of the meter's price");
		}
		return currencies.isEmpty() ? null : currencies.iterator().next();
	}

	private static long units(long amount, BigDecimal unitAmount) {
		return (amount <= 0) ? 0
				: BigDecimal.valueOf(amount).divide(unitAmount, 0, RoundingMode.FLOOR).longValueExact();
	}

	/**
	 * An amount of money.
	 *
	 * @param currency the currency, lowercase as Stripe writes it
	 * @param value the amount in the currency's smallest unit
	 */
	record Money(String currency, long value) {

		boolean in(@Nullable String currency) {
			return this.currency.equals(currency);
		}

	}

	/**
	 * One credit grant.
	 *
	 * @param amount what it grants
	 * @param effectiveAt when it starts to apply, or {@code null} at once
	 * @param expiresAt when it expires, or {@code null} when it does not
	 * @param voidedAt when it was voided, or {@code null}
	 */
	record Grant(Money amount, @Nullable Instant effectiveAt, @Nullable Instant expiresAt, @Nullable Instant voidedAt) {

		boolean availableAt(Instant now) {
			return this.voidedAt == null && (this.effectiveAt == null || !this.effectiveAt.isAfter(now))
					&& (this.expiresAt == null || now.isBefore(this.expiresAt));
		}

	}

}
