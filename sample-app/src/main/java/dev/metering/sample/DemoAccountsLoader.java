package dev.metering.sample;

import java.time.Clock;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import dev.metering.BillingAccount;
import dev.metering.BillingClient;

/**
 * Records the demo's accounts ({@code sample.accounts}) in the application's own table of
 * who pays at start-up, before any request is served, as a checkout would record them in
 * production, and grants the credits an account bought. Credits are granted only to an
 * organization that has no grant on the meter, so that a restart does not grant them
 * again.
 */
@Component
class DemoAccountsLoader implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(DemoAccountsLoader.class);

	private final DemoAccounts demo;

	private final OrganizationAccounts accounts;

	private final BillingClient billing;

	private final Clock clock;

	DemoAccountsLoader(DemoAccounts demo, OrganizationAccounts accounts, BillingClient billing, Clock clock) {
		this.demo = demo;
		this.accounts = accounts;
		this.billing = billing;
		this.clock = clock;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.demo.accounts().forEach((organization, account) -> {
			this.accounts.save(organization, new BillingAccount(account.customerId(), account.plan()));
			account.credits().forEach((meter, amount) -> grantOnce(organization, meter, amount));
		});
	}

	private void grantOnce(String organization, String meter, long amount) {
		if (!this.billing.getGrants(organization, meter).isEmpty()) {
			return;
		}
		this.billing.grantCredits(organization, meter, amount, this.clock.instant(), null, 0);
		logger.info("Granted " + organization + " " + amount + " on " + meter + ", once");
	}

}
