package dev.metering.outbox;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.UsageDimensions;
import dev.metering.provider.UsageEvent;

/**
 * Groups events of one customer, event name, dimensions and hour, and makes the event
 * that stands for each group: the sum of its values, at the time of its latest event.
 */
final class Coalescing {

	private Coalescing() {
	}

	/** The merged event of each group of two or more, with the events it covers. */
	static Map<UsageEvent, List<UsageEvent>> merge(List<UsageEvent> candidates, Supplier<String> identifiers) {
		Map<Group, List<UsageEvent>> groups = new LinkedHashMap<>();
		for (UsageEvent event : candidates) {
			Group key = new Group(event.customerId(), event.eventName(), event.dimensions(),
					event.timestamp().truncatedTo(ChronoUnit.HOURS));
			groups.computeIfAbsent(key, (k) -> new ArrayList<>()).add(event);
		}
		Map<UsageEvent, List<UsageEvent>> merged = new LinkedHashMap<>();
		for (List<UsageEvent> group : groups.values()) {
			if (group.size() < 2) {
				continue;
			}
			long sum = 0;
			Instant latest = Instant.MIN;
			for (UsageEvent event : group) {
				sum = Math.addExact(sum, event.value());
				latest = event.timestamp().isAfter(latest) ? event.timestamp() : latest;
			}
			UsageEvent first = group.get(0);
			merged.put(new UsageEvent(identifiers.get(), first.eventName(), first.customerId(), sum, latest,
					first.dimensions(), commonSubject(group)), group);
		}
		return merged;
	}

	/**
	 * The subject of every event of a group, or {@code null} when they are of several
	 * (one customer for two).
	 */
	private static @Nullable BillingSubject commonSubject(List<UsageEvent> group) {
		BillingSubject subject = group.get(0).subject();
		for (UsageEvent event : group) {
			if (!Objects.equals(event.subject(), subject)) {
				return null;
			}
		}
		return subject;
	}

	/** What the events merged into one share. */
	private record Group(@Nullable String customerId, String eventName, UsageDimensions dimensions, Instant hour) {
	}

}
