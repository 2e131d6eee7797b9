package dev.metering.sample;

import java.time.Instant;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import dev.metering.BillingClient;
import dev.metering.PlanLimitCheck;
import dev.metering.limits.BillingPeriod;
import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;

/**
 * The logged-in user's organization's usage in its current billing period, as the plan
 * limit sees it.
 */
@RestController
class UsageController {

	/** The limit key of the {@code ai-tokens} meter ({@code metering.meters.ai-tokens.limit-key}). */
	static final String LIMIT_KEY = "aiTokens";

	private final LoggedInUserOrganization organization;

	private final UsageLedger ledger;

	private final BillingPeriods periods;

	private final BillingClient billing;

	UsageController(LoggedInUserOrganization organization, UsageLedger ledger, BillingPeriods periods,
			BillingClient billing) {
		this.organization = organization;
		this.ledger = ledger;
		this.periods = periods;
		this.billing = billing;
	}

	@GetMapping("/api/usage")
	OrganizationUsage usage() {
		String org = this.organization.resolve()
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.FORBIDDEN, "You belong to no organization"))
			.referenceId();
		BillingPeriod period = this.periods.current(org);
		long used = this.ledger.used(org, LIMIT_KEY, period);
		PlanLimitCheck check = this.billing.checkPlanLimit(org, LIMIT_KEY, used);
		Long remaining = (check.limit() != null) ? check.remaining() : null;
		return new OrganizationUsage(org, this.billing.getPlanLimits(org).plan(), used, check.limit(), remaining,
				period.start(), period.end());
	}

	/**
	 * Usage of an organization; {@code limit} and {@code remaining} are {@code null} when
	 * the plan is unlimited.
	 */
	record OrganizationUsage(String organization, String plan, long used, Long limit, Long remaining,
			Instant periodStart, Instant periodEnd) {
	}

}
