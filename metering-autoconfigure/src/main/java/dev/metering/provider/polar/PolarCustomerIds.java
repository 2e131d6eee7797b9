package dev.metering.provider.polar;

import java.util.regex.Pattern;

/**
 * Tells Polar's own customer IDs (UUIDs) from the IDs of the application's customers,
 * which Polar keeps as a customer's external ID: events, queries and look-ups name a
 * customer by one field or the other.
 */
final class PolarCustomerIds {

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private PolarCustomerIds() {
	}

	/** Whether the ID is Polar's own, not an external ID. */
	static boolean isPolarId(String customerId) {
		return UUID.matcher(customerId).matches();
	}

	/**
	 * The field or query parameter that names this customer: {@code customer_id} or
	 * {@code external_customer_id}.
	 */
	static String field(String customerId) {
		return isPolarId(customerId) ? "customer_id" : "external_customer_id";
	}

}
