package dev.metering.test;

import java.util.List;

import dev.metering.BillingClient;
import dev.metering.UsageStatus;
import dev.metering.limits.BillingPeriod;
import dev.metering.limits.UsageLedger;

/**
 * Sets what an organization has used of a plan limit, to test what happens near or over
 * it. Works on the usage ledger the application has, in memory or in its database.
 */
public final class UsageFixtures {

	private final BillingClient billing;

	private final UsageLedger ledger;

	public UsageFixtures(BillingClient billing, UsageLedger ledger) {
		this.billing = billing;
		this.ledger = ledger;
	}

	/**
	 * Sets what an organization has used of a limit in its current billing period, as the
	 * limit sees it: the next call is admitted iff {@code used} is below the limit. Like
	 * usage nobody recorded, it reaches no meter, and it publishes no usage threshold;
	 * the next usage counted publishes those reached.
	 * @param organizationId the organization (or user) ID, e.g. {@code org_acme}
	 * @param limitKey a limit key of a configured meter, e.g. {@code aiTokens}
	 * @param used the usage to set, at least 0
	 * @throws IllegalArgumentException naming the argument that is missing, negative or
	 * not a configured limit key; nothing is changed then
	 */
	public void setUsed(String organizationId, String limitKey, long used) {
		requireText(organizationId, "organizationId");
		requireText(limitKey, "limitKey");
		if (used < 0) {
			throw new IllegalArgumentException("used must not be negative, was " + used);
		}
		UsageStatus status = statusOf(organizationId, limitKey);
		this.ledger.setUsed(organizationId, limitKey, new BillingPeriod(status.periodStart(), status.periodEnd()),
				used);
	}

	private UsageStatus statusOf(String organizationId, String limitKey) {
		List<UsageStatus> statuses = this.billing.getUsageStatuses(organizationId);
		return statuses.stream()
			.filter((status) -> status.limitKey().equals(limitKey))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException(
					"limitKey '" + limitKey + "' is not the limit-key of any meter under metering.meters; limit keys: "
							+ statuses.stream().map(UsageStatus::limitKey).toList()));
	}

	private static void requireText(String value, String argument) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(argument + " must not be blank");
		}
	}

}
