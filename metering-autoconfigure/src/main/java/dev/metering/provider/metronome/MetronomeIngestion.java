package dev.metering.provider.metronome;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.web.client.RestClientException;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

/**
 * Sends usage events to {@code POST /v1/ingest}, a JSON array of up to 100 events.
 * Metronome takes a request whole or refuses it with one message that does not say which
 * event it is about: a batch refused as invalid (400, 422) or too large (413) is sent
 * again in halves, down to the events refused alone, which are settled by Metronome's
 * word while the rest go through. Metronome ignores an event whose {@code transaction_id}
 * it already has (for 34 days), so sending a batch again never counts an event twice.
 */
final class MetronomeIngestion {

	/** Most events in one request, as Metronome's ingest endpoint documents. */
	static final int MAX_BATCH = 100;

	static final String INGEST = "/v1/ingest";

	private static final Log logger = LogFactory.getLog(MetronomeIngestion.class);

	private final MetronomeClient client;

	private final Function<String, String> valueKeys;

	private final Clock clock;

	/**
	 * @param valueKeys the properties key of each event type's value
	 * @param clock what "now" is, for how long a {@code Retry-After} date asks to wait
	 */
	MetronomeIngestion(MetronomeClient client, Function<String, String> valueKeys, Clock clock) {
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
		MetronomeResponse response;
		try {
			response = this.client.post((uri) -> uri.path(INGEST).build(), body(events, positions));
		}
		catch (RestClientException ex) {
			// no answer: Metronome may or may not have the batch, and the same
			// transaction IDs
			// make sending it again safe
			settle(positions, outcomes, DeliveryOutcome.retry(this.client.describe(ex)));
			return;
		}
		if (refusesSomeEvents(response.status()) && positions.size() > 1) {
			int half = positions.size() / 2;
			send(events, positions.subList(0, half), outcomes);
			send(events, positions.subList(half, positions.size()), outcomes);
			return;
		}
		DeliveryOutcome outcome = MetronomeErrors.outcome(response, this.clock.instant());
		if (outcome instanceof DeliveryOutcome.Held) {
			logger.warn("Metronome refused the request (" + response.describe() + "); holding back " + positions.size()
					+ " usage event(s) until metering.metronome.api-token or metering.metronome.base-url is fixed. "
					+ "Nothing is dead-lettered for it.");
		}
		settle(positions, outcomes, outcome);
	}

	/** Whether Metronome may have refused the request for some of its events only. */
	private static boolean refusesSomeEvents(int status) {
		return status == 400 || status == 413 || status == 422;
	}

	private ArrayNode body(List<UsageEvent> events, List<Integer> positions) {
		ArrayNode body = this.client.array();
		for (int position : positions) {
			UsageEvent event = events.get(position);
			ObjectNode usage = body.addObject();
			usage.put("transaction_id", event.identifier());
			usage.put("customer_id", event.customerId());
			usage.put("event_type", event.eventName());
			usage.put("timestamp", event.timestamp().truncatedTo(ChronoUnit.MILLIS).toString());
			// strings, as Metronome advises: it reads them as exact decimals
			ObjectNode properties = usage.putObject("properties");
			properties.put(this.valueKeys.apply(event.eventName()), Long.toString(event.value()));
			event.dimensions().byKey().forEach(properties::put);
		}
		return body;
	}

	private static void settle(List<Integer> positions, DeliveryOutcome[] outcomes, DeliveryOutcome outcome) {
		positions.forEach((position) -> outcomes[position] = outcome);
	}

}
