package dev.metering.sample;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import dev.metering.BillingAccount;

/**
 * Records the demo's accounts ({@code sample.accounts}) in the application's own table of
 * who pays at start-up, before any request is served, as a checkout would record them in
 * production.
 */
@Component
class DemoAccountsLoader implements SmartInitializingSingleton {

	private final DemoAccounts demo;

	private final OrganizationAccounts accounts;

	DemoAccountsLoader(DemoAccounts demo, OrganizationAccounts accounts) {
		this.demo = demo;
		this.accounts = accounts;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.demo.accounts()
			.forEach((organization, account) -> this.accounts.save(organization,
					new BillingAccount(account.customerId(), account.plan())));
	}

}
