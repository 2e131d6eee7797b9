package dev.metering.billing;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.metering.PlanLimitCheck;
import dev.metering.PlanLimits;

/**
 * The configured plans and their limits. A limit key a plan does not name is unlimited,
 * and so is every key when no plans are configured.
 */
final class PlanCatalog {

	private final Map<String, PlanDefinition> plans;

	/** Each configured plan's limits, made once: every limited call asks for them. */
	private final Map<String, PlanLimits> limitsByPlan = new HashMap<>();

	private final String defaultPlan;

	PlanCatalog(Map<String, PlanDefinition> plans, String defaultPlan) {
		this.plans = new LinkedHashMap<>(plans);
		this.defaultPlan = defaultPlan;
		plans.forEach((name, definition) -> this.limitsByPlan.put(name, new PlanLimits(name, definition.limits())));
	}

	/** The limits of a plan; {@code null} means the default plan. */
	public PlanLimits limits(@Nullable String plan) {
		String name = (plan != null) ? plan : this.defaultPlan;
		PlanLimits limits = this.limitsByPlan.get(name);
		return (limits != null) ? limits : new PlanLimits(name, Map.of());
	}

	/**
	 * What a plan grants on a meter each billing period; {@code null} means the default
	 * plan.
	 * @return the grant, or {@code null} when the plan grants nothing on the meter
	 */
	@Nullable PlanGrant grant(@Nullable String plan, String meterKey) {
		PlanDefinition definition = this.plans.get((plan != null) ? plan : this.defaultPlan);
		return (definition != null) ? definition.grants().get(meterKey) : null;
	}

	/** The name of a plan; {@code null} means the default plan. */
	String name(@Nullable String plan) {
		return (plan != null) ? plan : this.defaultPlan;
	}

	/** The first configured plan that sells one of these prices. */
	public Optional<String> planForPrices(Collection<String> priceIds) {
		return this.plans.entrySet()
			.stream()
			.filter((plan) -> plan.getValue().priceIds().stream().anyMatch(priceIds::contains))
			.map(Map.Entry::getKey)
			.findFirst();
	}

	public static PlanLimitCheck check(PlanLimits limits, String limitKey, long currentUsage, boolean hasSubscription) {
		Long limit = limits.limits().get(limitKey);
		if (limit == null) {
			return new PlanLimitCheck(true, null, Long.MAX_VALUE, hasSubscription);
		}
		return new PlanLimitCheck(currentUsage < limit, limit, Math.max(limit - currentUsage, 0), hasSubscription);
	}

}
