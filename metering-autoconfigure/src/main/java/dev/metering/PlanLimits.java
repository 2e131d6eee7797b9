package dev.metering;

import java.util.Map;

/**
 * The limits of a plan. A limit key that is absent is unlimited.
 */
public record PlanLimits(String plan, Map<String, Long> limits) {

	public PlanLimits {
		limits = Map.copyOf(limits);
	}

}
