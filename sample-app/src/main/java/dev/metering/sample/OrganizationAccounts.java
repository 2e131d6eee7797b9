package dev.metering.sample;

import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.metering.BillingAccount;
import dev.metering.BillingAccountResolver;
import dev.metering.BillingSubject;

/**
 * The application's own record of who pays, in its table {@code sample_billing_account}:
 * each organization's customer ID at the billing provider, and its plan. Metering asks it
 * for every call of an organization (after {@code metering.accounts}, before the
 * provider), so an organization recorded here is billed from its first call, without
 * waiting for the provider's customer search, and goes on being billed while the provider
 * cannot be reached.
 * <p>
 * In production, the code that handles a checkout records the account here, e.g. on
 * Stripe's {@code checkout.session.completed} or once it has created the customer; in
 * this demo {@link DemoAccountsLoader} records the accounts of {@code sample.accounts} at
 * start-up. The look-up is one query by primary key on the caller's thread; with a slower
 * store, keep the accounts in memory and refresh them.
 */
@Repository
public class OrganizationAccounts implements BillingAccountResolver {

	private final JdbcTemplate jdbc;

	public OrganizationAccounts(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public Optional<BillingAccount> find(BillingSubject subject) {
		if (subject.type() != BillingSubject.Type.ORGANIZATION) {
			return Optional.empty();
		}
		return this.jdbc
			.query("SELECT customer_id, plan FROM sample_billing_account WHERE organization_id = ?",
					(row, number) -> new BillingAccount(row.getString("customer_id"), row.getString("plan")),
					subject.referenceId())
			.stream()
			.findFirst();
	}

	/**
	 * Records the account of an organization, or changes it: its calls are billed to it
	 * from the next one.
	 */
	public void save(String organizationId, BillingAccount account) {
		int updated = this.jdbc.update(
				"UPDATE sample_billing_account SET customer_id = ?, plan = ? WHERE organization_id = ?",
				account.customerId(), account.plan(), organizationId);
		if (updated == 0) {
			this.jdbc.update("INSERT INTO sample_billing_account (organization_id, customer_id, plan) VALUES (?, ?, ?)",
					organizationId, account.customerId(), account.plan());
		}
	}

}
