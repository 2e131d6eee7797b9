package dev.metering.web;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.metering.Balance;
import dev.metering.InsufficientBalanceException;
import dev.metering.MeteringUnavailableException;
import dev.metering.MissingBillingAccountException;
import dev.metering.UsageLimitExceededException;

/**
 * Answers the metering exceptions as RFC 9457 problem details: 429 for a used-up limit,
 * with a {@code Retry-After} header that says when its period ends, 402 for a prepaid
 * balance that cannot pay for the call, naming the balance, 402 for a missing billing
 * account, and 503 with a {@code Retry-After} header when metering cannot take the call.
 * <p>
 * The same advice serves Spring MVC and WebFlux. It comes last: an application's own
 * {@code @ControllerAdvice} that handles one of these exceptions (or one of their
 * superclasses) answers it instead.
 *
 * @since 0.1.0
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class MeteringExceptionHandler {

	private final Clock clock;

	/**
	 * @param clock tells how long a used-up limit has until its period ends
	 */
	public MeteringExceptionHandler(Clock clock) {
		this.clock = clock;
	}

	@ExceptionHandler(UsageLimitExceededException.class)
	public ResponseEntity<ProblemDetail> limitExceeded(UsageLimitExceededException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, ex.getMessage());
		problem.setTitle("Usage limit exceeded");
		problem.setType(URI.create("urn:metering:usage-limit-exceeded"));
		problem.setProperty("limitKey", ex.getLimitKey());
		problem.setProperty("limit", ex.getLimit());
		problem.setProperty("used", ex.getUsed());
		problem.setProperty("periodEnd", ex.getPeriodEnd().toString());
		return answer(HttpStatus.TOO_MANY_REQUESTS)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(secondsUntil(ex.getPeriodEnd())))
			.body(problem);
	}

	/**
	 * Whole seconds, rounded up so that a client retrying then finds the new period
	 * begun.
	 */
	private long secondsUntil(Instant end) {
		return wholeSeconds(Duration.between(this.clock.instant(), end));
	}

	private static long wholeSeconds(Duration left) {
		if (left.isNegative()) {
			return 0;
		}
		return left.getSeconds() + ((left.getNano() > 0) ? 1 : 0);
	}

	/**
	 * No {@code Retry-After}: waiting does not refill a prepaid balance, a top-up does.
	 */
	@ExceptionHandler(InsufficientBalanceException.class)
	public ResponseEntity<ProblemDetail> insufficientBalance(InsufficientBalanceException ex) {
		Balance balance = ex.getBalance();
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYMENT_REQUIRED, ex.getMessage());
		problem.setTitle("Insufficient balance");
		problem.setType(URI.create("urn:metering:insufficient-balance"));
		problem.setProperty("meterKey", balance.meterKey());
		problem.setProperty("granted", balance.granted());
		problem.setProperty("used", balance.used());
		problem.setProperty("remaining", balance.remaining());
		Instant nextExpiry = balance.nextExpiry();
		if (nextExpiry != null) {
			problem.setProperty("nextExpiry", nextExpiry.toString());
		}
		return answer(HttpStatus.PAYMENT_REQUIRED).body(problem);
	}

	@ExceptionHandler(MissingBillingAccountException.class)
	public ResponseEntity<ProblemDetail> missingAccount(MissingBillingAccountException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYMENT_REQUIRED, ex.getMessage());
		problem.setTitle("No billing account");
		problem.setType(URI.create("urn:metering:missing-billing-account"));
		return answer(HttpStatus.PAYMENT_REQUIRED).body(problem);
	}

	@ExceptionHandler(MeteringUnavailableException.class)
	public ResponseEntity<ProblemDetail> unavailable(MeteringUnavailableException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage());
		problem.setTitle("Metering unavailable");
		problem.setType(URI.create("urn:metering:unavailable"));
		problem.setProperty("reason", ex.reason());
		return answer(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(wholeSeconds(ex.retryAfter())))
			.body(problem);
	}

	/**
	 * A problem detail answer, named as such whatever the request accepts: a refused
	 * stream asked for {@code text/event-stream}, which would otherwise wrap the problem
	 * in an event.
	 */
	private static ResponseEntity.BodyBuilder answer(HttpStatus status) {
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

}
