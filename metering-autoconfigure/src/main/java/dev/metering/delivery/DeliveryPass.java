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

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.EventIdentifiers;
import dev.metering.outbox.OutboxEntry;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;

/**
 * Plans and runs one delivery pass: names the customers of usage that waited for them, merges
 * what piled up since the last one, claims what was
 * due when the pass began, and sends it in lanes, one per customer and event name, or in
 * batches to a provider that takes batches. Later events wait for the next pass, so that they
 * gather and coalesce instead of trickling out one call each.
 */
final class DeliveryPass {

	private static final Log logger = LogFactory.getLog(DeliveryPass.class);

	private static final int CLAIM_SIZE = 100;

	private final DeliveryQueue queue;

	private final MeterProvider provider;

	private final CustomerNaming naming;

	private final OutcomeSettler settler;

	private final Set<String> coalescedEventNames;

	private final DeliveryMetrics metrics;

	private final EventIdentifiers identifiers = new EventIdentifiers();

	/** Runs lanes side by side; {@code null} to run them one after another. */
	private final Executor lanes;

	DeliveryPass(DeliveryQueue queue, MeterProvider provider, CustomerNaming naming, OutcomeSettler settler,
			Set<String> coalescedEventNames, DeliveryMetrics metrics, Executor lanes) {
		this.queue = queue;
		this.provider = provider;
		this.naming = naming;
		this.settler = settler;
		this.coalescedEventNames = coalescedEventNames;
		this.metrics = metrics;
		this.lanes = lanes;
	}

	/** @return how many entries were attempted */
	int run(Instant passStart) {
		this.naming.run(passStart);
		coalesce(passStart);
		int attempted = 0;
		List<OutboxEntry> claimed;
		while (!(claimed = this.queue.due(passStart, CLAIM_SIZE)).isEmpty()) {
			deliver(claimed);
			attempted += claimed.size();
		}
		return attempted;
	}

	/** Merges what piled up since the last pass, so that calls grow with customers, not events. */
	private void coalesce(Instant passStart) {
		if (this.coalescedEventNames.isEmpty()) {
			return;
		}
		try {
			int merged;
			do {
				merged = this.queue.coalesce(this.coalescedEventNames, passStart, this.identifiers::next);
				this.metrics.coalesced(merged);
			}
			while (merged > 0);
		}
		catch (RuntimeException ex) {
			// the events stay as they were and are sent one by one
			logger.warn("Could not coalesce pending usage events: " + ex.getMessage());
		}
	}

	/**
	 * Delivers claimed entries in lanes: lanes run side by side, the events of one lane one after
	 * another, so that a provider never sees two requests in flight for the same customer and
	 * meter. The claim is settled before the next one is made.
	 */
	private void deliver(List<OutboxEntry> claimed) {
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
		lanes.forEach((lane) -> running.add(CompletableFuture.runAsync(() -> lane.forEach(this::attempt), this.lanes)));
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
			lanes.computeIfAbsent(entry.event().customerId() + '\0' + entry.event().eventName(),
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
		try {
			return this.metrics.request(events, request);
		}
		catch (RuntimeException ex) {
			return Collections.nCopies(events, failed(ex));
		}
	}

	private static DeliveryOutcome failed(RuntimeException ex) {
		return DeliveryOutcome.retry(ex.getClass().getSimpleName() + ": " + ex.getMessage());
	}

}
