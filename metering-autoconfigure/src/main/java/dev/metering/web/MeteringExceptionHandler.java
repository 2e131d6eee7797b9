package dev.metering.web;

import java.net.URI;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.metering.MissingBillingAccountException;
import dev.metering.UsageLimitExceededException;

/**
 * Answers the metering exceptions as RFC 9457 problem details: 429 for a used-up limit, 402
 * for a missing billing account.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE - 100)
public class MeteringExceptionHandler {

	@ExceptionHandler(UsageLimitExceededException.class)
	public ResponseEntity<ProblemDetail> limitExceeded(UsageLimitExceededException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, ex.getMessage());
		problem.setTitle("Usage limit exceeded");
		problem.setType(URI.create("urn:metering:usage-limit-exceeded"));
		problem.setProperty("limitKey", ex.getLimitKey());
		problem.setProperty("limit", ex.getLimit());
		problem.setProperty("used", ex.getUsed());
		problem.setProperty("periodEnd", ex.getPeriodEnd().toString());
		return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).body(problem);
	}

	@ExceptionHandler(MissingBillingAccountException.class)
	public ResponseEntity<ProblemDetail> missingAccount(MissingBillingAccountException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYMENT_REQUIRED, ex.getMessage());
		problem.setTitle("No billing account");
		problem.setType(URI.create("urn:metering:missing-billing-account"));
		return ResponseEntity.status(HttpStatus.PAYMENT_REQUIRED).body(problem);
	}

}
