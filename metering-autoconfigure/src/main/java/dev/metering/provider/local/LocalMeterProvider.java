package dev.metering.provider.local;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.metering.MeterUsageSummary;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.UsageEvent;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;

/**
 * The embedded meter: needs no keys and no services. Like hosted meters it sums events per
 * minute (so memory grows with minutes of use, not with events) and ignores an identifier it
 * has seen before, within its memory of the most recent identifiers.
 */
public final class LocalMeterProvider implements MeterProvider {

	/** Duplicates come from retries shortly after the first delivery. */
	private static final int REMEMBERED_IDENTIFIERS = 100_000;

	private final Map<SeriesKey, Series> series = new ConcurrentHashMap<>();

	private final Map<String, Boolean> recentIdentifiers = new LinkedHashMap<>(1024, 0.75f, false) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
			return size() > REMEMBERED_IDENTIFIERS;
		}

	};

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
	public DeliveryOutcome deliver(UsageEvent event) {
		synchronized (this.recentIdentifiers) {
			if (this.recentIdentifiers.put(event.identifier(), Boolean.TRUE) != null) {
				return new DeliveryOutcome.Delivered();
			}
		}
		this.series.computeIfAbsent(new SeriesKey(event.eventName(), event.customerId()), (key) -> new Series())
			.add(event.timestamp(), event.value());
		return new DeliveryOutcome.Delivered();
	}

	/** How many distinct events were delivered for a customer on an event name. */
	public long eventCount(String eventName, String customerId) {
		Series found = this.series.get(new SeriesKey(eventName, customerId));
		return (found != null) ? found.count() : 0;
	}

	/**
	 * Sums the minutes from the one holding {@code start} up to {@code end}, exclusive;
	 * {@code null} bounds are open.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end) {
		Series found = this.series.get(new SeriesKey(meter.eventName(), customerId));
		long sum = (found != null) ? found.sum(start, end) : 0;
		String meterId = (meter.meterId() != null) ? meter.meterId() : meter.key();
		return List.of(new MeterUsageSummary(meterId, customerId, sum, start, end));
	}

	private record SeriesKey(String eventName, String customerId) {
	}

	/** Per-minute sums of one event name for one customer. */
	private static final class Series {

		private final NavigableMap<Instant, Long> minutes = new TreeMap<>();

		private long count;

		synchronized void add(Instant timestamp, long value) {
			this.minutes.merge(timestamp.truncatedTo(ChronoUnit.MINUTES), value, Series::saturatedSum);
			this.count++;
		}

		synchronized long sum(Instant start, Instant end) {
			NavigableMap<Instant, Long> range = this.minutes;
			if (start != null) {
				range = range.tailMap(start.truncatedTo(ChronoUnit.MINUTES), true);
			}
			if (end != null) {
				range = range.headMap(end, false);
			}
			return range.values().stream().reduce(0L, Series::saturatedSum);
		}

		/** Usage never reads back negative: a sum past the largest long stays at the largest. */
		private static long saturatedSum(long a, long b) {
			long sum = a + b;
			return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE : sum;
		}

		synchronized long count() {
			return this.count;
		}

	}

}
