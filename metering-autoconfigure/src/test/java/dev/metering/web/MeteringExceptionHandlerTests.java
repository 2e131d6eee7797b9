package dev.metering.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import dev.metering.Balance;
import dev.metering.InsufficientBalanceException;
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

	@Test
	void anInsufficientBalanceAnswers402NamingTheBalanceWithoutRetryAfter() {
		Instant nextExpiry = Instant.parse("2026-12-31T00:00:00Z");
		ResponseEntity<ProblemDetail> answer = this.handler.insufficientBalance(
				new InsufficientBalanceException(new Balance("ai-tokens", 50000, 49990, 10, nextExpiry)));

		assertThat(answer.getStatusCode().value()).isEqualTo(402);
		assertThat(answer.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
		assertThat(answer.getBody().getType()).hasToString("urn:metering:insufficient-balance");
		assertThat(answer.getBody().getDetail())
			.isEqualTo("Insufficient balance on meter 'ai-tokens': 10 of 50000 granted remains");
		assertThat(answer.getBody().getProperties()).containsEntry("meterKey", "ai-tokens")
			.containsEntry("granted", 50000L)
			.containsEntry("used", 49990L)
			.containsEntry("remaining", 10L)
			.containsEntry("nextExpiry", "2026-12-31T00:00:00Z");
	}

	@Test
	void aBalanceWhoseGrantsNeverExpireNamesNoExpiry() {
		ResponseEntity<ProblemDetail> answer = this.handler
			.insufficientBalance(new InsufficientBalanceException(new Balance("credits", 100, 100, 0, null)));

		assertThat(answer.getBody().getProperties()).containsEntry("remaining", 0L).doesNotContainKey("nextExpiry");
	}

}
