package dev.metering.provider.polar;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.web.client.RestClientException;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * Sends usage events to {@code POST /v1/events/ingest}, in batches. Polar takes a batch
 * whole or not at all: when it refuses one for some of its events, it names their
 * positions, and those are settled by Polar's word while the rest are sent again at once;
 * when a batch is too large, its halves are sent.
 */
final class PolarEventIngestion {

	/**
	 * Most events in one request: some tens of kilobytes, far below Polar's 10 MiB body
	 * limit.
	 */
	static final int MAX_BATCH = 100;

	static final String INGEST = "/v1/events/ingest";

	private static final Log logger = LogFactory.getLog(PolarEventIngestion.class);

	private static final int UNPROCESSABLE = 422;

	private static final int TOO_LARGE = 413;

	private static final String FUTURE_TIMESTAMP = "must be in the past";

	private final PolarClient client;

	private final Function<String, String> valueKeys;

	private final Clock clock;

	/**
	 * @param valueKeys the metadata key of each event name's value
	 * @param clock what "now" is, for clamping timestamps
	 */
	PolarEventIngestion(PolarClient client, Function<String, String> valueKeys, Clock clock) {
		this.client = client;
		this.valueKeys = valueKeys;
		this.clock = clock;
	}

	/** Sends the events; outcomes in their order. */
	List<DeliveryOutcome> send(List<UsageEvent> events) {
		DeliveryOutcome[] outcomes = new DeliveryOutcome[events.size()];
		List<Integer> all = new ArrayList<>(events.size());
		for (int i = 0; i < events.size(); i++) {
			all.add(i);
		}
		send(events, all, outcomes);
		return Arrays.asList(outcomes);
	}

	/** Sends the events at {@code positions}, settling each in {@code outcomes}. */
	private void send(List<UsageEvent> events, List<Integer> positions, DeliveryOutcome[] outcomes) {
		Instant now = this.clock.instant();
		PolarResponse response;
		try {
			response = this.client.post(INGEST, body(events, positions, now));
		}
		catch (RestClientException ex) {
			// no answer: Polar may or may not have the batch, and the same external_ids
			// make
			// sending it again safe
			settle(positions, outcomes, DeliveryOutcome
				.retry(ex.getClass().getSimpleName() + ": " + PolarErrors.redacted(ex.getMessage())));
			return;
		}
		if (response.successful()) {
			if (logger.isDebugEnabled()) {
				logger.debug("Polar ingested " + response.body().path("inserted").asLong() + " event(s), "
						+ response.body().path("duplicates").asLong() + " already known");
			}
			settle(positions, outcomes, DeliveryOutcome.delivered());
			return;
		}
		if (response.status() == UNPROCESSABLE) {
			Map<Integer, List<JsonNode>> problems = problemsByEvent(response, positions.size());
			if (problems != null) {
				List<Integer> rest = new ArrayList<>();
				for (int i = 0; i < positions.size(); i++) {
					List<JsonNode> eventProblems = problems.get(i);
					if (eventProblems != null) {
						outcomes[positions.get(i)] = refused(eventProblems);
					}
					else {
						rest.add(positions.get(i));
					}
				}
				if (!rest.isEmpty()) {
					send(events, rest, outcomes);
				}
				return;
			}
		}
		if (response.status() == TOO_LARGE && positions.size() > 1) {
			int half = positions.size() / 2;
			send(events, positions.subList(0, half), outcomes);
			send(events, positions.subList(half, positions.size()), outcomes);
			return;
		}
		DeliveryOutcome outcome = PolarErrors.outcome(response, now);
		if (outcome instanceof DeliveryOutcome.Held) {
			logger.warn("Polar refused the request (" + response.describe() + "); holding back " + positions.size()
					+ " usage event(s) until metering.polar.access-token or metering.polar.base-url is fixed. "
					+ "Nothing is dead-lettered for it.");
		}
		settle(positions, outcomes, outcome);
	}

	/**
	 * Polar's validation problems by the position of their event in the batch sent, or
	 * {@code null} when some problem is about the request as a whole.
	 */
	private static @Nullable Map<Integer, List<JsonNode>> problemsByEvent(PolarResponse response, int batchSize) {
		JsonNode detail = response.body().path("detail");
		if (!detail.isArray() || detail.isEmpty()) {
			return null;
		}
		Map<Integer, List<JsonNode>> problems = new LinkedHashMap<>();
		for (JsonNode problem : detail.values()) {
			int index = PolarErrors.eventIndex(problem);
			if (index < 0 || index >= batchSize) {
				return null;
			}
			problems.computeIfAbsent(index, (i) -> new ArrayList<>()).add(problem);
		}
		return problems;
	}

	/**
	 * An event Polar refused: for good, unless all Polar has against it is a timestamp
	 * ahead of its clock, which the next attempt (clamped to a later "now") mends.
	 */
	private static DeliveryOutcome refused(List<JsonNode> problems) {
		String message = PolarErrors.redacted(String.join("; ", problems.stream().map(PolarErrors::problem).toList()));
		boolean onlyAhead = problems.stream()
			.allMatch((problem) -> problem.path("msg").asString("").contains(FUTURE_TIMESTAMP));
		if (onlyAhead) {
			return DeliveryOutcome.retry("Polar's clock is behind this one: " + message);
		}
		String type = problems.get(0).path("type").asString("");
		return DeliveryOutcome.rejected(type.isEmpty() ? "http_422" : type, message);
	}

	private ObjectNode body(List<UsageEvent> events, List<Integer> positions, Instant now) {
		ObjectNode body = this.client.object();
		ArrayNode array = body.putArray("events");
		for (int position : positions) {
			UsageEvent event = events.get(position);
			ObjectNode polarEvent = array.addObject();
			polarEvent.put("name", event.eventName());
			// events are delivered once their customer is named
			String customerId = Objects.requireNonNull(event.customerId());
			polarEvent.put(PolarCustomerIds.field(customerId), customerId);
			// Polar refuses a timestamp ahead of its clock; an event stamped ahead of
			// ours
			// happened no later than now
			Instant timestamp = event.timestamp().isAfter(now) ? now : event.timestamp();
			polarEvent.put("timestamp", timestamp.truncatedTo(ChronoUnit.MICROS).toString());
			polarEvent.put("external_id", event.identifier());
			ObjectNode metadata = polarEvent.putObject("metadata");
			metadata.put(this.valueKeys.apply(event.eventName()), event.value());
			event.dimensions().byKey().forEach(metadata::put);
		}
		return body;
	}

	private static void settle(List<Integer> positions, DeliveryOutcome[] outcomes, DeliveryOutcome outcome) {
		positions.forEach((position) -> outcomes[position] = outcome);
	}

}
