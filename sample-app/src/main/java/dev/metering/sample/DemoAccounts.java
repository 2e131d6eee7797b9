package dev.metering.sample;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The demo's billing accounts ({@code sample.accounts}), which {@link DemoAccountsLoader}
 * records in the application's own table at start-up.
 *
 * @param accounts accounts by organization ID
 */
@ConfigurationProperties("sample")
public record DemoAccounts(Map<String, Account> accounts) {

	public DemoAccounts {
		accounts = (accounts != null) ? Map.copyOf(accounts) : Map.of();
	}

	/**
	 * A demo account.
	 *
	 * @param customerId the organization's customer ID at the billing provider
	 * @param plan its plan, or {@code null} for the plan of its subscription at the
	 * provider
	 * @param credits a one-time grant per prepaid meter key, made at start-up when the
	 * organization has no grant on that meter
	 */
	public record Account(String customerId, String plan, Map<String, Long> credits) {

		public Account {
			credits = (credits != null) ? Map.copyOf(credits) : Map.of();
		}

	}

}
