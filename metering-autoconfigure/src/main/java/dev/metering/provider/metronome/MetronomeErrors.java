package dev.metering.provider.metronome;

import java.time.Instant;

import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.HttpStatusFailures;

/**
 * Sorts Metronome's answers into delivered, retry later, hold back and refused for good,
 * as its status codes say: every 4xx is {@code {"message": ...}}; 401 and 403 refuse the
 * token, 404 an address that does not exist, 409 conflicts with a request in progress,
 * 429 asks to slow down and 5xx are Metronome's own failures.
 */
final class MetronomeErrors {

	private MetronomeErrors() {
	}

	/** What becomes of every event of a request Metronome answered as a whole. */
	static DeliveryOutcome outcome(MetronomeResponse response, Instant now) {
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
		return DeliveryOutcome.rejected("http_" + status,
				response.message().isEmpty() ? "no message" : response.message());
	}

	/**
	 * Whether Metronome refuses the request for what it is sent with, not what it
	 * carries: the token (401, 403) or the base URL (404). Fixing the configuration
	 * delivers what was held back; dead-lettering it would lose it to a typo.
	 */
	static boolean holdsBack(int status) {
		return status == 401 || status == 403 || status == 404;
	}

}
