package dev.metering.billing;

import java.util.List;
import java.util.Map;

/**
 * A configured plan: the provider prices that put a subscription on it, and its limits.
 */
record PlanDefinition(List<String> priceIds, Map<String, Long> limits) {

	public PlanDefinition {
		priceIds = List.copyOf(priceIds);
		limits = Map.copyOf(limits);
	}

}
