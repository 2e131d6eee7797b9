package dev.metering.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import dev.metering.MeteringUnavailableException;
import dev.metering.UsageLimitExceededException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 429 answer to a used-up limit tells the client, in {@code Retry-After}, the whole
 * seconds until the limit's period ends.
 */
class MeteringExceptionHandlerTests {

	private static final Instant NOW = Instant.parse("2026-11-30T23:58:00.250Z");

	private final MeteringExceptionHandler handler = new MeteringExceptionHandler(Clock.fixed(NOW, ZoneOffset.UTC));

	@Test
	void retryAfterIsTheSecondsToThePeriodsEndRoundedUp() {
		Instant periodEnd = Instant.parse("2026-12-01T00:00:00Z");
		ResponseEntity<ProblemDetail> answer = this.handler
			.limitExceeded(new UsageLimitExceededException("aiTokens", 2000, 2100, periodEnd));

		assertThat(answer.getStatusCode().value()).isEqualTo(429);
		assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("120");
		assertThat(answer.getBody().getProperties()).containsEntry("limitKey", "aiTokens")
			.containsEntry("limit", 2000L)
			.containsEntry("used", 2100L)
			.containsEntry("periodEnd", "2026-12-01T00:00:00Z");
	}

	@Test
	void retryAfterIsExactOnAWholeSecondAndZeroOnceThePeriodHasEnded() {
		assertThat(retryAfter(NOW.plusSeconds(60))).isEqualTo("60");
		assertThat(retryAfter(NOW)).isEqualTo("0");
		assertThat(retryAfter(NOW.minusSeconds(30))).isEqualTo("0");
	}

	private String retryAfter(Instant periodEnd) {
		return this.handler.limitExceeded(new UsageLimitExceededException("aiTokens", 1, 1, periodEnd))
			.getHeaders()
			.getFirst(HttpHeaders.RETRY_AFTER);
	}

	@Test
	void unavailableMeteringAnswers503WithTheReasonAndRetryAfterInWholeSecondsRoundedUp() {
		ResponseEntity<ProblemDetail> answer = this.handler.unavailable(new MeteringUnavailableException(
				"the metering database is unreachable and the outbox is full", Duration.ofMillis(4500)));

		assertThat(answer.getStatusCode().value()).isEqualTo(503);
		assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
		assertThat(answer.getBody().getType()).hasToString("urn:metering:unavailable");
		assertThat(answer.getBody().getProperties()).containsEntry("reason",
				"the metering database is unreachable and the outbox is full");
	}

}
