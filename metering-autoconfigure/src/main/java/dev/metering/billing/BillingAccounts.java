package dev.metering.billing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingAccount;
import dev.metering.BillingAccountResolver;
import dev.metering.BillingSubject;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.Subscription;

/**
 * Finds the billing account of a subject: its customer ID from the configured accounts,
 * else from the application's {@link BillingAccountResolver}s, else from the provider;
 * its plan from the configured or resolved account, else from the prices of the
 * customer's active subscription. The provider's answers are cached by the provider, so a
 * plan changed at the provider takes effect once its cached subscription is refreshed.
 * <p>
 * When the provider fails to answer with nothing cached and {@link LookupFailures} lets
 * the call go on, a subject whose subscription is unknown is on the default plan, and a
 * subject whose customer is unknown gets an account without a customer ID: its calls are
 * admitted against the default plan, and their usage waits in the outbox until the
 * provider names the customer.
 */
final class BillingAccounts {

	private final Map<String, Account> configured;

	private final List<BillingAccountResolver> resolvers;

	private final MeterProvider provider;

	private final PlanCatalog plans;

	private final LookupFailures failures;

	/**
	 * @param configured the accounts of {@code metering.accounts}, by organization or
	 * user ID
	 * @param resolvers the application's records of accounts, asked in order before the
	 * provider
	 */
	BillingAccounts(Map<String, Account> configured, List<BillingAccountResolver> resolvers, MeterProvider provider,
			PlanCatalog plans, LookupFailures failures) {
		this.configured = Map.copyOf(configured);
		this.resolvers = List.copyOf(resolvers);
		this.provider = provider;
		this.plans = plans;
		this.failures = failures;
	}

	/** The account of a subject; a provider that cannot answer throws. */
	public Optional<Account> find(BillingSubject subject) {
		return find(subject, LookupFailures.STRICT);
	}

	/**
	 * The account of a subject a call bills: when the provider cannot answer and nothing
	 * is cached, {@code metering.limits.on-lookup-failure} decides, so that an outage
	 * does not stop AI calls.
	 */
	public Optional<Account> findForCall(BillingSubject subject) {
		return find(subject, this.failures);
	}

	private Optional<Account> find(BillingSubject subject, LookupFailures failures) {
		Account account = this.configured.get(subject.referenceId());
		if (account != null && account.plan() != null) {
			return Optional.of(account);
		}
		if (account != null) {
			// a configured account always names its customer
			String plan = subscribedPlan(subject, Objects.requireNonNull(account.customerId()), failures);
			// the configured account itself when no subscription names a plan: nothing
			// made per call
			return Optional.of((plan != null) ? new Account(account.subject(), account.customerId(), plan) : account);
		}
		BillingAccount known = resolved(subject);
		if (known != null) {
			String plan = (known.plan() != null) ? known.plan() : subscribedPlan(subject, known.customerId(), failures);
			return Optional.of(new Account(subject, known.customerId(), plan));
		}
		return failures.answer("customer", () -> this.provider.findCustomerId(subject)
			.map((customerId) -> new Account(subject, customerId, subscribedPlan(subject, customerId, failures))),
				() -> Optional.of(new Account(subject, null, null)),
				() -> "no customer ID for '" + subject.referenceId() + "', the default plan '" + defaultPlan()
						+ "' and the calendar-month period; its usage waits in the outbox until the customer is named");
	}

	/**
	 * The customer of a subject, without its plan: for usage that waits for its customer.
	 * @return the customer ID, or empty when the subject has none
	 * @throws RuntimeException what the provider's look-up threw
	 */
	public Optional<String> customerOf(BillingSubject subject) {
		Account account = this.configured.get(subject.referenceId());
		if (account != null) {
			return Optional.ofNullable(account.customerId());
		}
		BillingAccount known = resolved(subject);
		return (known != null) ? Optional.of(known.customerId()) : this.provider.findCustomerId(subject);
	}

	/** The account the first resolver that knows the subject tells, or {@code null}. */
	private @Nullable BillingAccount resolved(BillingSubject subject) {
		for (BillingAccountResolver resolver : this.resolvers) {
			Optional<BillingAccount> resolved = resolver.find(subject);
			if (resolved.isPresent()) {
				return resolved.get();
			}
		}
		return null;
	}

	/** The configured account of an organization or user ID. */
	public Optional<Account> byReferenceId(String referenceId) {
		return Optional.ofNullable(this.configured.get(referenceId));
	}

	/**
	 * The plan of the customer's active subscription, or {@code null} for the default
	 * plan.
	 */
	private @Nullable String subscribedPlan(BillingSubject subject, String customerId, LookupFailures failures) {
		try {
			// no lambda: this runs on every call of a configured account
			Optional<Subscription> subscription = this.provider.activeSubscription(customerId);
			return subscription.isPresent() ? this.plans.planForPrices(subscription.get().priceIds()).orElse(null)
					: null;
		}
		catch (RuntimeException ex) {
			failures.goOnAfter("subscription", ex,
					() -> "the default plan '" + defaultPlan() + "' for '" + subject.referenceId() + "'");
			return null;
		}
	}

	private String defaultPlan() {
		return this.plans.limits(null).plan();
	}

}
