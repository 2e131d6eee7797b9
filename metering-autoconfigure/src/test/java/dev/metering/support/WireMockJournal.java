package dev.metering.support;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * WireMock logs a request when it arrives and completes the entry once its answer is
 * sent; a client may have its answer a moment before that. Read the journal once it is
 * complete, or, where a client died mid-request and its entry never completes, after a
 * grace period.
 */
public final class WireMockJournal {

	private WireMockJournal() {
	}

	public static List<ServeEvent> completed(WireMockServer server) {
		try {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> server.getAllServeEvents().stream().allMatch(WireMockJournal::isComplete));
		}
		catch (ConditionTimeoutException ex) {
			// a request whose client was killed: it counts as whatever WireMock recorded
		}
		return server.getAllServeEvents();
	}

	private static boolean isComplete(ServeEvent event) {
		return event.getTiming() != null && event.getTiming().getTotalTime() != null;
	}

}
