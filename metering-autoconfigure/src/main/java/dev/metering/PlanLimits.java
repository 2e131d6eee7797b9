package dev.metering;

import java.util.Map;

/**
 * The limits of a plan. A limit key that is absent is unlimited.
 *
 * @since 0.1.0
 */
public record PlanLimits(String plan, Map<String, Long> limits) {

	public PlanLimits {
		limits = Map.copyOf(limits);
	}

}
