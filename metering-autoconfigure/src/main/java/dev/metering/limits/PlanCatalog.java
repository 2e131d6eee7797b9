package dev.metering.limits;

import java.util.Map;

import dev.metering.PlanLimitCheck;
import dev.metering.PlanLimits;

/**
 * The configured plans and their limits. A limit key a plan does not name is unlimited, and
 * so is every key when no plans are configured.
 */
public final class PlanCatalog {

	private final Map<String, Map<String, Long>> plans;

	private final String defaultPlan;

	public PlanCatalog(Map<String, Map<String, Long>> plans, String defaultPlan) {
		this.plans = Map.copyOf(plans);
		this.defaultPlan = defaultPlan;
	}

	/** The limits of a plan; {@code null} means the default plan. */
	public PlanLimits limits(String plan) {
		String name = (plan != null) ? plan : this.defaultPlan;
		return new PlanLimits(name, this.plans.getOrDefault(name, Map.of()));
	}

	public static PlanLimitCheck check(PlanLimits limits, String limitKey, long currentUsage,
			boolean hasSubscription) {
		Long limit = limits.limits().get(limitKey);
		if (limit == null) {
			return new PlanLimitCheck(true, null, Long.MAX_VALUE, hasSubscription);
		}
		return new PlanLimitCheck(currentUsage < limit, limit, Math.max(limit - currentUsage, 0), hasSubscription);
	}

}
