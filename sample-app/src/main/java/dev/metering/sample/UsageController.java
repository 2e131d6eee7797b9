package dev.metering.sample;

import java.time.Instant;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import dev.metering.BillingSubject;
import dev.metering.billing.LimitStatus;
import dev.metering.billing.UsageMetering;

/**
 * The logged-in user's organization's usage in its current billing period, as the plan
 * limit sees it.
 */
@RestController
class UsageController {

	/** The limit key of the {@code ai-tokens} meter ({@code metering.meters.ai-tokens.limit-key}). */
	static final String LIMIT_KEY = "aiTokens";

	private final LoggedInUserOrganization organization;

	private final UsageMetering metering;

	UsageController(LoggedInUserOrganization organization, UsageMetering metering) {
		this.organization = organization;
		this.metering = metering;
	}

	@GetMapping("/api/usage")
	OrganizationUsage usage() {
		BillingSubject subject = this.organization.resolve()
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.FORBIDDEN, "You belong to no organization"));
		LimitStatus status = this.metering.limitStatus(subject, LIMIT_KEY)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.PAYMENT_REQUIRED,
					"Your organization has no billing account"));
		return new OrganizationUsage(subject.referenceId(), status.plan(), status.used(), status.limit(),
				status.remaining(), status.period().start(), status.period().end());
	}

	/**
	 * Usage of an organization; {@code limit} and {@code remaining} are {@code null} when
	 * the plan is unlimited.
	 */
	record OrganizationUsage(String organization, String plan, long used, Long limit, Long remaining,
			Instant periodStart, Instant periodEnd) {
	}

}
