package dev.metering.billing;

import java.util.Map;
import java.util.Optional;

import dev.metering.BillingSubject;
import dev.metering.provider.MeterProvider;
import dev.metering.limits.PlanCatalog;

/**
 * Finds the billing account of a subject: its customer ID from the configured accounts, else
 * from the provider; its plan from the configured account, else from the prices of the
 * customer's active subscription.
 */
public final class BillingAccounts {

	private final Map<String, BillingAccount> configured;

	private final MeterProvider provider;

	private final PlanCatalog plans;

	public BillingAccounts(Map<String, BillingAccount> configured, MeterProvider provider, PlanCatalog plans) {
		this.configured = Map.copyOf(configured);
		this.provider = provider;
		this.plans = plans;
	}

	public Optional<BillingAccount> find(BillingSubject subject) {
		BillingAccount account = this.configured.get(subject.referenceId());
		if (account != null && account.plan() != null) {
			return Optional.of(account);
		}
		Optional<String> customerId = (account != null) ? Optional.of(account.customerId())
				: this.provider.findCustomerId(subject);
		return customerId.map((id) -> new BillingAccount(subject.referenceId(), id, subscribedPlan(id)));
	}

	/** The configured account of an organization or user ID. */
	public Optional<BillingAccount> byReferenceId(String referenceId) {
		return Optional.ofNullable(this.configured.get(referenceId));
	}

	private String subscribedPlan(String customerId) {
		return this.provider.activeSubscription(customerId)
			.flatMap((subscription) -> this.plans.planForPrices(subscription.priceIds()))
			.orElse(null);
	}

}
