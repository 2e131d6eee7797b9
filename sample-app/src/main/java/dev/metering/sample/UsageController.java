package dev.metering.sample;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.UsageStatus;

/**
 * The logged-in user's organization's usage in its current billing period, as the plan
 * limit sees it.
 */
@RestController
class UsageController {

	/**
	 * The limit key of the {@code ai-tokens} meter
	 * ({@code metering.meters.ai-tokens.limit-key}).
	 */
	static final String LIMIT_KEY = "aiTokens";

	private final LoggedInUserOrganization organization;

	private final BillingClient billing;

	UsageController(LoggedInUserOrganization organization, BillingClient billing) {
		this.organization = organization;
		this.billing = billing;
	}

	@GetMapping("/api/usage")
	OrganizationUsage usage() {
		BillingSubject subject = this.organization.resolve()
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.FORBIDDEN, "You belong to no organization"));
		if (this.billing.getCustomerId(subject).isEmpty()) {
			throw new ResponseStatusException(HttpStatus.PAYMENT_REQUIRED, "Your organization has no billing account");
		}
		UsageStatus status = this.billing.getUsageStatus(subject.referenceId(), LIMIT_KEY);
		return new OrganizationUsage(subject.referenceId(), status.plan(), status.used(), status.limit(),
				status.remaining(), status.periodStart(), status.periodEnd(), status.level());
	}

	/**
	 * Usage of an organization; {@code limit} and {@code remaining} are {@code null} when
	 * the plan is unlimited.
	 */
	record OrganizationUsage(String organization, String plan, long used, @Nullable Long limit,
			@Nullable Long remaining, Instant periodStart, Instant periodEnd, UsageStatus.Level level) {
	}

}
