package dev.metering.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.OutboxEntry;
import dev.metering.outbox.UsageOutboxes;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;

/**
 * Plans and runs one delivery pass: names the customers of usage that waited for them,
 * merges what piled up since the last one, claims what was due when the pass began, and
 * sends it in lanes, one per customer and event name, or in batches to a provider that
 * takes batches. Later events wait for the next pass, so that they gather and coalesce
 * instead of trickling out one call each.
 * <p>
 * Each pass is observed ({@link DeliveryObservationDocumentation#DELIVERY}) with what
 * became of its events, and each request to the provider within it
 * ({@link DeliveryObservationDocumentation#PROVIDER_REQUEST}).
 */
final class DeliveryPass {

	private static final Log logger = LogFactory.getLog(DeliveryPass.class);

	private static final int CLAIM_SIZE = 100;

	private static final DeliveryObservationConvention DEFAULT_CONVENTION = new DefaultDeliveryObservationConvention();

	private static final ProviderRequestObservationConvention DEFAULT_REQUEST_CONVENTION = new DefaultProviderRequestObservationConvention();

	private final DeliveryQueue queue;

	private final MeterProvider provider;

	private final CustomerNaming naming;

	private final OutcomeSettler settler;

	private final Set<String> coalescedEventNames;

	private final ObservationRegistry observations;

	private final Supplier<String> identifiers = UsageOutboxes.eventIdentifiers();

	/** Runs lanes side by side; {@code null} to run them one after another. */
	private final @Nullable Executor lanes;

	/** {@code null} for the default. */
	private @Nullable DeliveryObservationConvention convention;

	/** {@code null} for the default. */
	private @Nullable ProviderRequestObservationConvention requestConvention;

	DeliveryPass(DeliveryQueue queue, MeterProvider provider, CustomerNaming naming, OutcomeSettler settler,
			Set<String> coalescedEventNames, ObservationRegistry observations, @Nullable Executor lanes) {
		this.queue = queue;
		this.provider = provider;
		this.naming = naming;
		this.settler = settler;
		this.coalescedEventNames = coalescedEventNames;
		this.observations = observations;
		this.lanes = lanes;
	}

	void setObservationConvention(DeliveryObservationConvention convention) {
		this.convention = convention;
	}

	void setRequestObservationConvention(ProviderRequestObservationConvention convention) {
		this.requestConvention = convention;
	}

	/**
	 * @return how many entries were attempted
	 */
	int run(Instant passStart) {
		DeliveryObservationContext context = new DeliveryObservationContext(this.provider.name(),
				DeliveryObservationContext.Trigger.PASS);
		Observation pass = DeliveryObservationDocumentation.DELIVERY.observation(this.convention, DEFAULT_CONVENTION,
				() -> context, this.observations);
		return pass.observe(() -> run(passStart, pass, context));
	}

	private int run(Instant passStart, Observation pass, DeliveryObservationContext context) {
		this.naming.run(passStart);
		coalesce(passStart, context);
		int attempted = 0;
		List<OutboxEntry> claimed;
		while (!(claimed = this.queue.due(passStart, CLAIM_SIZE)).isEmpty()) {
			deliver(claimed, pass);
			attempted += claimed.size();
		}
		return attempted;
	}

	/**
	 * Merges what piled up since the last pass, so that calls grow with customers, not
	 * events.
	 */
	private void coalesce(Instant passStart, DeliveryObservationContext context) {
		if (this.coalescedEventNames.isEmpty()) {
			return;
		}
		try {
			int merged;
			do {
				merged = this.queue.coalesce(this.coalescedEventNames, passStart, this.identifiers);
				context.coalesced(merged);
			}
			while (merged > 0);
		}
		catch (RuntimeException ex) {
			// the events stay as they were and are sent one by one
			logger.warn("Could not coalesce pending usage events: " + ex.getMessage());
		}
	}

	/**
	 * Delivers claimed entries in lanes: lanes run side by side, the events of one lane
	 * one after another, so that a provider never sees two requests in flight for the
	 * same customer and meter. The claim is settled before the next one is made. Each
	 * lane runs in the pass's observation, to which what it settles is added.
	 */
	private void deliver(List<OutboxEntry> claimed, Observation pass) {
		int batchSize = this.provider.batchSize();
		if (batchSize > 1) {
			batches(claimed, batchSize).forEach(this::attemptTogether);
			return;
		}
		List<List<OutboxEntry>> lanes = lanes(claimed);
		if (lanes.size() == 1 || this.lanes == null) {
			claimed.forEach(this::attempt);
			return;
		}
		List<CompletableFuture<Void>> running = new ArrayList<>(lanes.size());
		lanes.forEach((lane) -> running
			.add(CompletableFuture.runAsync(() -> pass.scoped(() -> lane.forEach(this::attempt)), this.lanes)));
		for (CompletableFuture<Void> lane : running) {
			try {
				lane.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (ExecutionException ex) {
				logger.error("Usage delivery lane failed", ex.getCause());
			}
		}
	}

	/** One lane per customer and event name, in the order of their first entries. */
	private static List<List<OutboxEntry>> lanes(List<OutboxEntry> claimed) {
		Map<String, List<OutboxEntry>> lanes = new LinkedHashMap<>();
		for (OutboxEntry entry : claimed) {
			lanes
				.computeIfAbsent(entry.event().customerId() + '\0' + entry.event().eventName(),
						(lane) -> new ArrayList<>())
				.add(entry);
		}
		return new ArrayList<>(lanes.values());
	}

	private static List<List<OutboxEntry>> batches(List<OutboxEntry> claimed, int batchSize) {
		List<List<OutboxEntry>> batches = new ArrayList<>();
		for (int from = 0; from < claimed.size(); from += batchSize) {
			batches.add(claimed.subList(from, Math.min(from + batchSize, claimed.size())));
		}
		return batches;
	}

	private void attempt(OutboxEntry entry) {
		DeliveryOutcome outcome = send(1, () -> List.of(this.provider.deliver(entry.event()))).get(0);
		this.settler.settle(entry, outcome);
	}

	/** One request for several events, for providers that take batches. */
	private void attemptTogether(List<OutboxEntry> entries) {
		List<DeliveryOutcome> outcomes = send(entries.size(),
				() -> this.provider.deliverAll(entries.stream().map(OutboxEntry::event).toList()));
		for (int i = 0; i < entries.size(); i++) {
			this.settler.settle(entries.get(i), outcomes.get(i));
		}
	}

	/** One request to the provider, observed: the outcomes of its events, in order. */
	private List<DeliveryOutcome> send(int events, Supplier<List<DeliveryOutcome>> request) {
		ProviderRequestObservationContext context = new ProviderRequestObservationContext(this.provider.name(), events);
		try {
			return DeliveryObservationDocumentation.PROVIDER_REQUEST
				.observation(this.requestConvention, DEFAULT_REQUEST_CONVENTION, () -> context, this.observations)
				.observe(() -> {
					List<DeliveryOutcome> outcomes = request.get();
					context.setOutcomes(outcomes);
					return outcomes;
				});
		}
		catch (RuntimeException ex) {
			return Collections.nCopies(events, failed(ex));
		}
	}

	private static DeliveryOutcome failed(RuntimeException ex) {
		return DeliveryOutcome.retry(ex.getClass().getSimpleName() + ": " + ex.getMessage());
	}

}
