package dev.metering.provider.polar;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.lang.Contract;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.HttpStatusFailures;

/**
 * Sorts Polar's answers to an ingestion request into delivered, retry later, hold back,
 * and refused for good, and words Polar's errors without ever quoting a token.
 */
final class PolarErrors {

	/**
	 * Polar's tokens: {@code polar_oat_…}, {@code polar_pat_…}, {@code polar_at_…} and
	 * others.
	 */
	private static final Pattern TOKEN = Pattern.compile("(polar_[a-z]+_)[A-Za-z0-9_\\-]+");

	private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)\\S+");

	/** A validation problem's location starts with these; the event's index follows. */
	private static final List<String> EVENTS = List.of("body", "events");

	private PolarErrors() {
	}

	/**
	 * What becomes of every event of a request Polar answered as a whole: the same for
	 * all, as nothing in the answer points at one event.
	 */
	static DeliveryOutcome outcome(PolarResponse response, Instant now) {
		int status = response.status();
		if (response.successful()) {
			return DeliveryOutcome.delivered();
		}
		if (holdsBack(status)) {
			return DeliveryOutcome.held(response.describe());
		}
		if (HttpStatusFailures.passing(status)) {
			return DeliveryOutcome.retry(response.describe(),
					HttpStatusFailures.retryAfter(response.retryAfter(), now));
		}
		String error = response.body().path("error").asString("");
		return DeliveryOutcome.rejected(error.isEmpty() ? "http_" + status : error, response.message());
	}

	/**
	 * Whether Polar refuses the request for what it is sent with, not what it carries:
	 * the token (401, 403) or the base URL or pinned API version (404). Fixing the
	 * configuration delivers what was held back; dead-lettering it would lose it to a
	 * typo.
	 */
	static boolean holdsBack(int status) {
		return status == 401 || status == 403 || status == 404;
	}

	/**
	 * The index in the batch of the event a validation problem is about, or -1 when it is
	 * about the request as a whole.
	 */
	static int eventIndex(JsonNode problem) {
		JsonNode loc = problem.path("loc");
		boolean aboutAnEvent = loc.size() > 2 && EVENTS.get(0).equals(loc.get(0).asString(""))
				&& EVENTS.get(1).equals(loc.get(1).asString("")) && loc.get(2).isIntegralNumber();
		return aboutAnEvent ? loc.get(2).intValue() : -1;
	}

	/** A validation problem as {@code field: message}, the event's position left out. */
	static String problem(JsonNode problem) {
		List<String> field = new ArrayList<>();
		JsonNode loc = problem.path("loc");
		int from = (eventIndex(problem) >= 0) ? 3 : 0;
		for (int i = from; i < loc.size(); i++) {
			String part = loc.get(i).asString("");
			// pydantic names the member of the event union it tried: noise to a reader
			if (!part.startsWith("EventCreate")) {
				field.add(part);
			}
		}
		String message = problem.path("msg").asString("invalid");
		return field.isEmpty() ? message : String.join(".", field) + ": " + message;
	}

	/** Polar does not quote tokens in its messages; this makes sure of it. */
	@Contract("!null -> !null")
	static @Nullable String redacted(@Nullable String message) {
		if (message == null) {
			return null;
		}
		String masked = TOKEN.matcher(message).replaceAll("$1******");
		return BEARER.matcher(masked).replaceAll("$1******");
	}

}
