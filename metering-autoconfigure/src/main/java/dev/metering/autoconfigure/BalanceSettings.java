package dev.metering.autoconfigure;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * What the configuration says of prepaid balances, checked as it is read: a mistake fails
 * start-up with an {@link InvalidMeteringPropertyException} naming the property.
 *
 * @param prepaidMeters the keys of the meters whose calls draw on balances
 * @param thresholds the percentages of a balance left at which it is reported low, each
 * once, the highest first
 * @param planGrants the recurring grants of each plan, by plan and meter key
 */
record BalanceSettings(Set<String> prepaidMeters, List<Integer> thresholds,
		Map<String, Map<String, MeteringProperties.Plan.Grant>> planGrants) {

	static BalanceSettings of(MeteringProperties properties, MeteringBalancesProperties balances) {
		Set<String> prepaid = new TreeSet<>();
		properties.meters().forEach((key, meter) -> {
			if (meter.prepaid()) {
				prepaid.add(key);
			}
		});
		return new BalanceSettings(prepaid, thresholds(balances), planGrants(properties));
	}

	/**
	 * The thresholds of balances, none when balances are not configured.
	 */
	static List<Integer> thresholdsOf(@Nullable BalanceSettings settings) {
		return (settings != null) ? settings.thresholds() : List.of();
	}

	/** Percentages from 0 (the balance used up) to 100. */
	private static List<Integer> thresholds(MeteringBalancesProperties balances) {
		for (Integer threshold : balances.thresholds()) {
			if (threshold == null || threshold < 0 || threshold > 100) {
				throw new InvalidMeteringPropertyException(MeteringBalancesProperties.PREFIX + ".thresholds",
						balances.thresholds(), "must be percentages from 0 to 100, was " + balances.thresholds());
			}
		}
		return balances.thresholds().stream().distinct().sorted(Comparator.reverseOrder()).toList();
	}

	/** Grants of configured meters, none negative. */
	private static Map<String, Map<String, MeteringProperties.Plan.Grant>> planGrants(MeteringProperties properties) {
		Map<String, Map<String, MeteringProperties.Plan.Grant>> grants = new LinkedHashMap<>();
		properties.plans().forEach((plan, definition) -> {
			definition.grants().forEach((meter, grant) -> {
				String name = "metering.plans." + plan + ".grants." + meter;
				if (!properties.meters().containsKey(meter)) {
					throw new InvalidMeteringPropertyException(name, meter,
							"'" + meter + "' is not a meter key under metering.meters " + properties.meters().keySet());
				}
				if (!properties.meters().get(meter).prepaid()) {
					throw new InvalidMeteringPropertyException(name, meter,
							"'" + meter + "' draws on no balance: set metering.meters." + meter
									+ ".prepaid=true for it to be granted");
				}
				if (grant.amount() < 0) {
					throw new InvalidMeteringPropertyException(name + ".amount", grant.amount(),
							"must not be negative, was " + grant.amount());
				}
			});
			if (!definition.grants().isEmpty()) {
				grants.put(plan, Map.copyOf(definition.grants()));
			}
		});
		return grants;
	}

}
