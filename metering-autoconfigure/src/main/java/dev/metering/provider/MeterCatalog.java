package dev.metering.provider;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configured meters, looked up by key, event name or meter ID: what the recorder, the
 * ledger, the outbox and a provider implementation need to know of the meters.
 *
 * @since 0.1.0
 */
public final class MeterCatalog {

	private final Map<String, MeterDefinition> byKey;

	/** The first meter of each event name, looked up for every event recorded. */
	private final Map<String, MeterDefinition> byEventName;

	private final MeterDefinition defaultMeter;

	/**
	 * A catalog of meters.
	 * @param meters the meters, in the order they were configured
	 * @param defaultMeterKey the key of the meter of calls that name none
	 * @throws IllegalArgumentException when no meter has the default key
	 */
	public MeterCatalog(List<MeterDefinition> meters, String defaultMeterKey) {
		this.byKey = new LinkedHashMap<>();
		this.byEventName = new HashMap<>();
		meters.forEach((meter) -> {
			this.byKey.put(meter.key(), meter);
			this.byEventName.putIfAbsent(meter.eventName(), meter);
		});
		this.defaultMeter = byKey(defaultMeterKey);
	}

	public MeterDefinition defaultMeter() {
		return this.defaultMeter;
	}

	/** The meter of a key; an empty key means the default meter. */
	public MeterDefinition byKey(String key) {
		if (key == null || key.isEmpty()) {
			return this.defaultMeter;
		}
		MeterDefinition meter = this.byKey.get(key);
		if (meter == null) {
			throw new IllegalArgumentException(
					"Unknown meter key '" + key + "'; configured under metering.meters: " + this.byKey.keySet());
		}
		return meter;
	}

	public Optional<MeterDefinition> byEventName(String eventName) {
		return Optional.ofNullable(this.byEventName.get(eventName));
	}

	/** Whether a meter records events of this name. */
	public boolean hasEventName(String eventName) {
		return this.byEventName.containsKey(eventName);
	}

	/** Whether some meter counts credits. */
	public boolean anyInCredits() {
		return this.byKey.values().stream().anyMatch(MeterDefinition::inCredits);
	}

	/** Event names of the meters that sum their events: those may be coalesced. */
	public Set<String> summedEventNames() {
		return this.byKey.values()
			.stream()
			.filter((meter) -> meter.aggregation() == MeterAggregation.SUM)
			.map(MeterDefinition::eventName)
			.collect(Collectors.toUnmodifiableSet());
	}

	/** The distinct limit keys of the meters that have one, in meter order. */
	public List<String> limitKeys() {
		return this.byKey.values()
			.stream()
			.map(MeterDefinition::limitKey)
			.filter((limitKey) -> limitKey != null)
			.distinct()
			.toList();
	}

	/** The event names of the meters that count against each limit key. */
	public Map<String, Set<String>> eventNamesByLimitKey() {
		return this.byKey.values()
			.stream()
			.filter((meter) -> meter.limitKey() != null)
			.collect(Collectors.groupingBy(MeterDefinition::limitKey,
					Collectors.mapping(MeterDefinition::eventName, Collectors.toUnmodifiableSet())));
	}

	/** The event names of the meters, in meter order. */
	public List<String> eventNames() {
		return this.byKey.values().stream().map(MeterDefinition::eventName).toList();
	}

	/**
	 * The meter a usage query names, by the provider meter ID of the meter (the meter key
	 * stands in for meters with no meter ID). Event names are refused with the right ID.
	 */
	public MeterDefinition forUsageQuery(String meterId) {
		if (meterId == null || meterId.isBlank()) {
			throw new IllegalArgumentException("meterId must not be blank");
		}
		for (MeterDefinition meter : this.byKey.values()) {
			if (meterId.equals(queryId(meter))) {
				return meter;
			}
		}
		MeterDefinition named = byEventName(meterId).or(() -> Optional.ofNullable(this.byKey.get(meterId)))
			.orElse(null);
		if (named != null) {
			throw new IllegalArgumentException("'" + meterId + "' is not a meter ID; getUsage needs the provider's "
					+ "meter ID: use '" + queryId(named) + "' (metering.meters." + named.key() + ".meter-id)");
		}
		throw new IllegalArgumentException("Unknown meter ID '" + meterId + "'; configured meter IDs: "
				+ this.byKey.values().stream().map(MeterCatalog::queryId).toList());
	}

	private static String queryId(MeterDefinition meter) {
		return (meter.meterId() != null) ? meter.meterId() : meter.key();
	}

}
