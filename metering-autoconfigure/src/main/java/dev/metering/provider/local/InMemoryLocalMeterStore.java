package dev.metering.provider.local;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.metering.UsageDimensions;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * The local meter's sums in memory: lost with the process. It remembers the most recent
 * identifiers, as duplicates come from retries shortly after the first delivery.
 *
 * @since 0.1.0
 */
public final class InMemoryLocalMeterStore implements LocalMeterStore {

	private static final int REMEMBERED_IDENTIFIERS = 100_000;

	private final Map<SeriesKey, Series> series = new ConcurrentHashMap<>();

	private final Map<DimensionKey, Series> dimensionSeries = new ConcurrentHashMap<>();

	private final Map<String, Boolean> recentIdentifiers = new LinkedHashMap<>(1024, 0.75f, false) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
			return size() > REMEMBERED_IDENTIFIERS;
		}

	};

	@Override
	public DeliveryOutcome add(UsageEvent event) {
		synchronized (this.recentIdentifiers) {
			if (this.recentIdentifiers.put(event.identifier(), Boolean.TRUE) != null) {
				return DeliveryOutcome.delivered();
			}
		}
		this.series.computeIfAbsent(new SeriesKey(event.eventName(), event.customerId()), (key) -> new Series())
			.add(event.timestamp(), event.value());
		if (!event.dimensions().isEmpty()) {
			this.dimensionSeries
				.computeIfAbsent(new DimensionKey(event.eventName(), event.customerId(), event.dimensions()),
						(key) -> new Series())
				.add(event.timestamp(), event.value());
		}
		return DeliveryOutcome.delivered();
	}

	@Override
	public void remove(UsageEvent event) {
		Series found = this.series.get(new SeriesKey(event.eventName(), event.customerId()));
		if (found != null) {
			found.remove(event.timestamp(), event.value());
		}
		Series dimension = this.dimensionSeries
			.get(new DimensionKey(event.eventName(), event.customerId(), event.dimensions()));
		if (dimension != null) {
			dimension.remove(event.timestamp(), event.value());
		}
	}

	@Override
	public long sum(String eventName, String customerId, UsageDimensions filter, @Nullable Instant start,
			@Nullable Instant end) {
		long sum = 0;
		for (Map.Entry<DimensionKey, Series> entry : this.dimensionSeries.entrySet()) {
			DimensionKey key = entry.getKey();
			if (key.eventName().equals(eventName) && customerId.equals(key.customerId())
					&& filter.admits(key.dimensions())) {
				sum = saturatedAdd(sum, entry.getValue().sum(start, end));
			}
		}
		return sum;
	}

	@Override
	public long sum(String eventName, String customerId, @Nullable Instant start, @Nullable Instant end) {
		Series found = this.series.get(new SeriesKey(eventName, customerId));
		return (found != null) ? found.sum(start, end) : 0;
	}

	@Override
	public long eventCount(String eventName, String customerId) {
		Series found = this.series.get(new SeriesKey(eventName, customerId));
		return (found != null) ? found.count() : 0;
	}

	/** Adds two sums that are not negative, stopping at {@link Long#MAX_VALUE}. */
	static long saturatedAdd(long sum, long value) {
		return (sum > Long.MAX_VALUE - value) ? Long.MAX_VALUE : sum + value;
	}

	private record SeriesKey(String eventName, @Nullable String customerId) {
	}

	private record DimensionKey(String eventName, @Nullable String customerId, UsageDimensions dimensions) {
	}

	/** Per-minute sums of one event name for one customer. */
	private static final class Series {

		private final NavigableMap<Instant, Long> minutes = new TreeMap<>();

		private long count;

		synchronized void add(Instant timestamp, long value) {
			this.minutes.merge(timestamp.truncatedTo(ChronoUnit.MINUTES), value, InMemoryLocalMeterStore::saturatedAdd);
			this.count++;
		}

		synchronized void remove(Instant timestamp, long value) {
			this.minutes.computeIfPresent(timestamp.truncatedTo(ChronoUnit.MINUTES),
					(minute, sum) -> Math.max(sum - value, 0));
			this.count = Math.max(this.count - 1, 0);
		}

		synchronized long sum(@Nullable Instant start, @Nullable Instant end) {
			NavigableMap<Instant, Long> range = this.minutes;
			if (start != null) {
				range = range.tailMap(start.truncatedTo(ChronoUnit.MINUTES), true);
			}
			if (end != null) {
				range = range.headMap(end, false);
			}
			long sum = 0;
			for (long minute : range.values()) {
				sum = saturatedAdd(sum, minute);
			}
			return sum;
		}

		synchronized long count() {
			return this.count;
		}

	}

}
