package dev.metering.local;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.metering.MeterUsageSummary;
import dev.metering.billing.MeterDefinition;
import dev.metering.billing.UsageEvent;
import dev.metering.delivery.DeliveryOutcome;
import dev.metering.delivery.MeterProvider;

/**
 * The embedded meter: events land in memory, deduplicated by identifier, and usage is summed
 * from them. Needs no keys and no services.
 */
public final class LocalMeterProvider implements MeterProvider {

	/** Like hosted meters, refuse events stamped too far ahead; clocks drift a little. */
	private static final Duration MAX_FUTURE = Duration.ofMinutes(5);

	private final List<UsageEvent> events = new ArrayList<>();

	private final Set<String> identifiers = new HashSet<>();

	@Override
	public String name() {
		return "local";
	}

	@Override
	public Optional<String> rejectCustomerId(String customerId) {
		if (customerId.chars().anyMatch(Character::isWhitespace)) {
			return Optional.of("customerId must not contain white space: '" + customerId + "'");
		}
		return Optional.empty();
	}

	@Override
	public Optional<String> rejectTimestamp(Instant timestamp, Instant now) {
		if (timestamp.isAfter(now.plus(MAX_FUTURE))) {
			return Optional.of("timestamp " + timestamp + " is more than " + MAX_FUTURE.toMinutes()
					+ " minutes in the future");
		}
		return Optional.empty();
	}

	@Override
	public synchronized DeliveryOutcome deliver(UsageEvent event) {
		if (this.identifiers.add(event.identifier())) {
			this.events.add(event);
		}
		return new DeliveryOutcome.Delivered();
	}

	/** The events delivered for a customer on an event name, oldest first. */
	public synchronized List<UsageEvent> events(String eventName, String customerId) {
		return this.events.stream()
			.filter((event) -> event.eventName().equals(eventName) && event.customerId().equals(customerId))
			.toList();
	}

	@Override
	public synchronized List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start,
			Instant end) {
		long sum = this.events.stream()
			.filter((event) -> event.eventName().equals(meter.eventName()))
			.filter((event) -> event.customerId().equals(customerId))
			.filter((event) -> start == null || !event.timestamp().isBefore(start))
			.filter((event) -> end == null || event.timestamp().isBefore(end))
			.mapToLong(UsageEvent::value)
			.sum();
		String meterId = (meter.meterId() != null) ? meter.meterId() : meter.key();
		return List.of(new MeterUsageSummary(meterId, customerId, sum, start, end));
	}

}
