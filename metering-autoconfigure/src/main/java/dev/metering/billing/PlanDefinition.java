package dev.metering.billing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A configured plan: the provider prices that put a subscription on it, its limits, and
 * what it grants on prepaid meters each billing period, by meter key.
 */
record PlanDefinition(List<String> priceIds, Map<String, Long> limits, Map<String, PlanGrant> grants) {

	public PlanDefinition {
		priceIds = List.copyOf(priceIds);
		limits = Map.copyOf(limits);
		grants = Map.copyOf(grants);
	}

	PlanDefinition withGrant(String meterKey, PlanGrant grant) {
		Map<String, PlanGrant> withGrant = new HashMap<>(this.grants);
		withGrant.put(meterKey, grant);
		return new PlanDefinition(this.priceIds, this.limits, withGrant);
	}

}
