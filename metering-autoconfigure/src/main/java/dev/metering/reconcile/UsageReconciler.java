package dev.metering.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.MeterUsageSummary;
import dev.metering.outbox.DeliveredUsage;
import dev.metering.outbox.DeliveredUsage.DeliveredTotal;
import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;

/**
 * Checks that the provider counted what was delivered: for a closed window, per sum meter
 * and per customer the outbox delivered to, the sum of the events sent is compared with
 * the provider's own total. A difference is a drift, logged at WARN with the customer,
 * the meter, the window and both figures, and observed
 * ({@link ReconciliationObservationDocumentation#RECONCILIATION}) with what it found.
 * <p>
 * Only customers with usage delivered in the window are asked about, as providers answer
 * totals per customer. Meters that do not sum (count, last) are not reconciled.
 * <p>
 * Run by the reconciliation schedule and the actuator endpoint; an application may define
 * its own, e.g. over other meters or another window, and its tests may run one.
 *
 * @since 0.1.0
 */
public final class UsageReconciler {

	private static final Log logger = LogFactory.getLog(UsageReconciler.class);

	private static final ReconciliationObservationConvention DEFAULT_CONVENTION = new DefaultReconciliationObservationConvention();

	private final DeliveredUsage outbox;

	private final MeterProvider provider;

	private final List<MeterDefinition> meters;

	private final Duration window;

	private final ObservationRegistry observations;

	private final Clock clock;

	/** {@code null} for the default. */
	private @Nullable ReconciliationObservationConvention convention;

	/**
	 * @param meters the configured meters
	 * @param window the length of the window {@link #reconcileLastWindow()} reconciles,
	 * whole minutes
	 * @param observations where reconciliations are observed
	 */
	public UsageReconciler(DeliveredUsage outbox, MeterProvider provider, List<MeterDefinition> meters, Duration window,
			ObservationRegistry observations, Clock clock) {
		this.outbox = outbox;
		this.provider = provider;
		this.meters = List.copyOf(meters);
		this.window = window;
		this.observations = observations;
		this.clock = clock;
	}

	/** Replaces {@link DefaultReconciliationObservationConvention}. */
	public void setObservationConvention(ReconciliationObservationConvention convention) {
		this.convention = convention;
	}

	/** Reconciles the last window that has closed: by default, yesterday in UTC. */
	public Reconciliation reconcileLastWindow() {
		long length = this.window.toMillis();
		Instant end = Instant.ofEpochMilli(Math.floorDiv(this.clock.millis(), length) * length);
		return reconcile(end.minus(this.window), end);
	}

	/**
	 * Reconciles {@code [start, end)}.
	 * @throws IllegalArgumentException when the window is not on whole minutes (UTC), as
	 * provider summaries are, or has not closed yet
	 */
	public Reconciliation reconcile(Instant start, Instant end) {
		requireClosedWindow(start, end);
		ReconciliationObservationContext context = new ReconciliationObservationContext(this.provider.name(), start,
				end);
		return ReconciliationObservationDocumentation.RECONCILIATION
			.observation(this.convention, DEFAULT_CONVENTION, () -> context, this.observations)
			.observe(() -> {
				Reconciliation reconciliation = compare(start, end);
				context.setReconciliation(reconciliation);
				return reconciliation;
			});
	}

	private Reconciliation compare(Instant start, Instant end) {
		Map<String, String> skipped = new LinkedHashMap<>();
		List<MeterDefinition> summed = new ArrayList<>();
		for (MeterDefinition meter : this.meters) {
			if (meter.aggregation() == MeterAggregation.SUM) {
				summed.add(meter);
			}
			else {
				skipped.put(meter.key(), "only sum meters are reconciled; this one aggregates by "
						+ meter.aggregation().name().toLowerCase(Locale.ROOT));
			}
		}
		Set<String> eventNames = summed.stream().map(MeterDefinition::eventName).collect(Collectors.toSet());
		Map<String, List<DeliveredTotal>> delivered = this.outbox.deliveredTotals(eventNames, start, end)
			.stream()
			.collect(Collectors.groupingBy(DeliveredTotal::eventName));
		Comparison comparison = new Comparison(start, end);
		for (MeterDefinition meter : summed) {
			for (DeliveredTotal total : delivered.getOrDefault(meter.eventName(), List.of())) {
				if (!comparison.compare(meter, total)) {
					skipped.put(meter.key(), comparison.skippedBecause);
					break;
				}
			}
		}
		List<String> reconciled = summed.stream()
			.map(MeterDefinition::key)
			.filter((key) -> !skipped.containsKey(key))
			.toList();
		Reconciliation reconciliation = new Reconciliation(this.provider.name(), start, end, reconciled,
				comparison.compared, comparison.drifts, comparison.failures, skipped);
		report(reconciliation);
		return reconciliation;
	}

	private void requireClosedWindow(Instant start, Instant end) {
		Objects.requireNonNull(start, "start must not be null");
		Objects.requireNonNull(end, "end must not be null");
		if (start.toEpochMilli() % 60_000 != 0 || end.toEpochMilli() % 60_000 != 0 || start.getNano() % 1_000_000 != 0
				|| end.getNano() % 1_000_000 != 0) {
			throw new IllegalArgumentException("A reconciliation window starts and ends on whole minutes (UTC), as "
					+ "provider summaries do, was " + start + " to " + end);
		}
		if (!start.isBefore(end)) {
			throw new IllegalArgumentException(
					"A reconciliation window must start before it ends, was " + start + " to " + end);
		}
		if (end.isAfter(this.clock.instant())) {
			throw new IllegalArgumentException("A reconciliation window must have closed, but " + end
					+ " is still to come: usage may still be recorded in it");
		}
	}

	private void report(Reconciliation reconciliation) {
		for (Reconciliation.Drift drift : reconciliation.drifts()) {
			logger.warn("Usage drift on meter '" + drift.meter() + "' (event " + drift.eventName() + ") for customer "
					+ drift.customerId() + " from " + drift.start() + " to " + drift.end() + ": delivered "
					+ drift.delivered() + ", " + reconciliation.provider() + " counted " + drift.counted() + " ("
					+ ((drift.difference() < 0) ? drift.difference() + " missing" : "+" + drift.difference() + " extra")
					+ ")");
		}
		for (Reconciliation.Failure failure : reconciliation.failures()) {
			logger.warn("Could not reconcile meter '" + failure.meter() + "' for customer " + failure.customerId()
					+ " from " + reconciliation.start() + " to " + reconciliation.end() + ": " + failure.error());
		}
		reconciliation.skippedMeters()
			.forEach((meter, reason) -> logger.info("Meter '" + meter + "' was not reconciled: " + reason));
		if (logger.isInfoEnabled()) {
			logger.info("Reconciled usage from " + reconciliation.start() + " to " + reconciliation.end() + " with "
					+ reconciliation.provider() + ": " + reconciliation.compared() + " customer total(s) on meters "
					+ reconciliation.meters() + ", " + reconciliation.drifts().size() + " drift(s), "
					+ reconciliation.failures().size() + " failure(s)");
		}
	}

	/** The comparisons of one window, pair by pair. */
	private final class Comparison {

		private final Instant start;

		private final Instant end;

		private final List<Reconciliation.Drift> drifts = new ArrayList<>();

		private final List<Reconciliation.Failure> failures = new ArrayList<>();

		private final Map<DeliveredRange, Map<String, Long>> deliveredByRange = new HashMap<>();

		private int compared;

		private @Nullable String skippedBecause;

		Comparison(Instant start, Instant end) {
			this.start = start;
			this.end = end;
		}

		/**
		 * @return {@code false} when the meter cannot be reconciled at all, as
		 * {@link #skippedBecause} says
		 */
		boolean compare(MeterDefinition meter, DeliveredTotal total) {
			List<MeterUsageSummary> summaries;
			try {
				summaries = UsageReconciler.this.provider.usage(meter, total.customerId(), this.start, this.end);
			}
			catch (IllegalArgumentException | UnsupportedOperationException ex) {
				// the meter's configuration, the same for every customer
				this.skippedBecause = ex.getMessage();
				return false;
			}
			catch (RuntimeException ex) {
				this.failures.add(new Reconciliation.Failure(meter.key(), total.customerId(), ex.getMessage()));
				return true;
			}
			long counted = summaries.stream().mapToLong(MeterUsageSummary::aggregatedValue).sum();
			// a provider that answers whole buckets only (Polar: hours) may have counted
			// a wider range
			Instant from = summaries.stream()
				.map(MeterUsageSummary::startTime)
				.filter(Objects::nonNull)
				.min(Instant::compareTo)
				.orElse(this.start);
			Instant to = summaries.stream()
				.map(MeterUsageSummary::endTime)
				.filter(Objects::nonNull)
				.max(Instant::compareTo)
				.orElse(this.end);
			long delivered = (from.equals(this.start) && to.equals(this.end)) ? total.value()
					: deliveredBetween(meter, total.customerId(), from, to);
			this.compared++;
			if (counted != delivered) {
				this.drifts.add(new Reconciliation.Drift(meter.key(), meter.eventName(), total.customerId(), from, to,
						delivered, counted));
			}
			return true;
		}

		/**
		 * What was delivered to a customer over a range the provider widened the window
		 * to, read once per range for every customer: the provider widens it alike for
		 * all.
		 */
		private long deliveredBetween(MeterDefinition meter, String customerId, Instant from, Instant to) {
			return this.deliveredByRange
				.computeIfAbsent(new DeliveredRange(meter.eventName(), from, to),
						(range) -> UsageReconciler.this.outbox
							.deliveredTotals(Set.of(range.eventName()), range.from(), range.to())
							.stream()
							.collect(Collectors.toMap(DeliveredTotal::customerId, DeliveredTotal::value, Long::sum)))
				.getOrDefault(customerId, 0L);
		}

	}

	/** An event name's usage over a range. */
	private record DeliveredRange(String eventName, Instant from, Instant to) {
	}

}
