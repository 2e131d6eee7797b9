package dev.metering.provider.polar;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.metering.provider.ProviderBalance;

/**
 * A customer's meter credits as Polar's customer meters answer them: per meter, the units
 * credited to the customer and the balance left of them after what it consumed.
 *
 * @param customerId the customer, as the account names it
 * @param meters the customer's meters
 */
record CustomerMeterCredits(String customerId, List<Meter> meters) {

	/** Polar counts credits in the meter's own units, whatever they measure. */
	static final String UNIT = "units";

	CustomerMeterCredits {
		meters = List.copyOf(meters);
	}

	/** The customer meters of one page of {@code GET /v1/customer-meters}. */
	static List<Meter> of(JsonNode page) {
		List<Meter> meters = new ArrayList<>();
		for (JsonNode item : page.path("items").values()) {
			meters.add(new Meter(item.path("meter_id").asString(""),
					item.path("credited_units").decimalValue(BigDecimal.ZERO),
					item.path("balance").decimalValue(BigDecimal.ZERO)));
		}
		return meters;
	}

	/**
	 * The credits on one meter: what was credited, and what is left of it, rounded down
	 * and never below nothing, as Polar's balance goes negative once usage exceeds the
	 * credits.
	 * @param meterId Polar's ID of the meter
	 * @param nextExpiry when the credits end, or {@code null} when that is not known
	 * @return the balance, or {@code null} when the customer has no credits on the meter
	 */
	@Nullable ProviderBalance of(String meterId, @Nullable Instant nextExpiry) {
		BigDecimal granted = BigDecimal.ZERO;
		BigDecimal remaining = BigDecimal.ZERO;
		for (Meter meter : this.meters) {
			if (meter.meterId().equals(meterId)) {
				granted = granted.add(meter.credited());
				remaining = remaining.add(meter.balance());
			}
		}
		if (granted.signum() <= 0) {
			return null;
		}
		return new ProviderBalance(this.customerId, UNIT, down(granted), Math.max(0, down(remaining)), nextExpiry);
	}

	private static long down(BigDecimal amount) {
		return amount.setScale(0, RoundingMode.FLOOR).longValue();
	}

	/**
	 * One customer meter.
	 *
	 * @param meterId Polar's ID of the meter
	 * @param credited the units credited to the customer
	 * @param balance the credited units less the consumed ones, negative when usage
	 * exceeded the credits
	 */
	record Meter(String meterId, BigDecimal credited, BigDecimal balance) {
	}

}
