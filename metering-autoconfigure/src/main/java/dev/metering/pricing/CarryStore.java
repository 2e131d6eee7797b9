package dev.metering.pricing;

import java.math.BigDecimal;

/**
 * Where the rounding carried per customer and event name is kept across restarts.
 */
interface CarryStore {

	/** The fraction of a credit carried, 0 when none is kept. */
	BigDecimal load(String eventName, String customerId);

	/** Adds to the fraction carried (what this instance carried since it last wrote). */
	void add(String eventName, String customerId, BigDecimal credits);

}
