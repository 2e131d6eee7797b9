package dev.metering.provider.local;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.metering.MeterUsageSummary;
import dev.metering.UsageDimensions;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageBuckets;
import dev.metering.provider.UsageEvent;

/**
 * The embedded meter: needs no keys and no services. Like hosted meters it sums events
 * per minute (so what it keeps grows with minutes of use, not with events) and ignores an
 * identifier it has counted before. Its {@link LocalMeterStore} keeps the sums in memory
 * or in the application's database.
 *
 * @since 0.1.0
 */
public final class LocalMeterProvider implements MeterProvider {

	private final LocalMeterStore store;

	public LocalMeterProvider(LocalMeterStore store) {
		this.store = store;
	}

	@Override
	public String name() {
		return "local";
	}

	@Override
	public Optional<String> rejectCustomerId(String customerId) {
		for (int i = 0; i < customerId.length(); i++) {
			if (Character.isWhitespace(customerId.charAt(i))) {
				return Optional.of("customerId must not contain white space: '" + customerId + "'");
			}
		}
		return Optional.empty();
	}

	@Override
	public DeliveryOutcome deliver(UsageEvent event) {
		return this.store.add(event);
	}

	/** How many distinct events were delivered for a customer on an event name. */
	public long eventCount(String eventName, String customerId) {
		return this.store.eventCount(eventName, customerId);
	}

	/**
	 * Sums the minutes from the one holding {@code start} up to {@code end}, exclusive;
	 * {@code null} bounds are open.
	 */
	/** Takes the event off the sums it was counted in, as long ago as it was. */
	@Override
	public void cancel(UsageEvent event, Instant deliveredAt) {
		this.store.remove(event);
	}

	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, @Nullable Instant start,
			@Nullable Instant end) {
		long sum = this.store.sum(meter.eventName(), customerId, start, end);
		String meterId = (meter.meterId() != null) ? meter.meterId() : meter.key();
		return List.of(new MeterUsageSummary(meterId, customerId, sum, start, end));
	}

	/** Sums the minutes of the events whose dimensions the filter admits. */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			UsageDimensions filter) {
		long sum = this.store.sum(meter.eventName(), customerId, filter, start, end);
		String meterId = (meter.meterId() != null) ? meter.meterId() : meter.key();
		return List.of(new MeterUsageSummary(meterId, customerId, sum, start, end));
	}

	/**
	 * Sums each bucket's minutes: buckets are whole hours or days, so whole minutes too.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			Duration bucket) {
		String meterId = (meter.meterId() != null) ? meter.meterId() : meter.key();
		return UsageBuckets.starts(start, end, bucket)
			.stream()
			.map((at) -> new MeterUsageSummary(meterId, customerId,
					this.store.sum(meter.eventName(), customerId, at, at.plus(bucket)), at, at.plus(bucket)))
			.toList();
	}

}
