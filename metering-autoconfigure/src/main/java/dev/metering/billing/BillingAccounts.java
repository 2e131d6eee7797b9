package dev.metering.billing;

import java.util.Map;
import java.util.Optional;

import dev.metering.BillingSubject;
import dev.metering.delivery.MeterProvider;

/**
 * Finds the billing account of a subject: configured accounts first, then the provider.
 */
public final class BillingAccounts {

	private final Map<String, BillingAccount> configured;

	private final MeterProvider provider;

	public BillingAccounts(Map<String, BillingAccount> configured, MeterProvider provider) {
		this.configured = Map.copyOf(configured);
		this.provider = provider;
	}

	public Optional<BillingAccount> find(BillingSubject subject) {
		BillingAccount account = this.configured.get(subject.referenceId());
		if (account != null) {
			return Optional.of(account);
		}
		return this.provider.findCustomerId(subject)
			.map((customerId) -> new BillingAccount(subject.referenceId(), customerId, null));
	}

	/** The configured account of an organization or user ID. */
	public Optional<BillingAccount> byReferenceId(String referenceId) {
		return Optional.ofNullable(this.configured.get(referenceId));
	}

}
