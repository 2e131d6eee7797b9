package dev.metering.billing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.metering.Balance;
import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.CreditGrant;
import dev.metering.MeterUsageSummary;
import dev.metering.PlanLimitCheck;
import dev.metering.PlanLimits;
import dev.metering.RecordUsageResult;
import dev.metering.UsageDimensions;
import dev.metering.UsageStatus;
import dev.metering.delivery.UsageDispatcher;
import dev.metering.limits.BillingPeriod;
import dev.metering.limits.BillingPeriods;
import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageBuckets;

/**
 * {@link BillingClient} over the configured provider, outbox and plans.
 */
final class DefaultBillingClient implements BillingClient {

	private final UsageRecorder recorder;

	private final MeterCatalog meters;

	private final BillingAccounts accounts;

	private final PlanCatalog plans;

	private final PlanAdmission admission;

	private final BillingPeriods periods;

	private final MeterProvider provider;

	private final UsageDispatcher dispatcher;

	private final PrepaidBalances balances;

	private final UsageCancellation cancellation;

	DefaultBillingClient(UsageRecorder recorder, MeterCatalog meters, BillingAccounts accounts, PlanCatalog plans,
			PlanAdmission admission, BillingPeriods periods, MeterProvider provider, UsageDispatcher dispatcher,
			PrepaidBalances balances, UsageCancellation cancellation) {
		this.recorder = recorder;
		this.meters = meters;
		this.accounts = accounts;
		this.plans = plans;
		this.admission = admission;
		this.periods = periods;
		this.provider = provider;
		this.dispatcher = dispatcher;
		this.balances = balances;
		this.cancellation = cancellation;
	}

	@Override
	public RecordUsageResult recordUsage(String eventName, String customerId, long value) {
		return this.recorder.record(eventName, customerId, value);
	}

	@Override
	public RecordUsageResult recordUsage(String eventName, String customerId, long value, Instant timestamp) {
		return this.recorder.record(eventName, customerId, value, timestamp);
	}

	@Override
	public List<MeterUsageSummary> getUsage(String meterId, String customerId) {
		MeterDefinition meter = meterToQuery(meterId, customerId);
		if (this.provider.allTimeUsageWithoutSubscription() && this.provider.activeSubscription(customerId).isEmpty()) {
			return this.provider.usage(meter, customerId, null, null);
		}
		BillingPeriod period = this.periods.current(customerId);
		return this.provider.usage(meter, customerId, period.start(), period.end());
	}

	@Override
	public List<MeterUsageSummary> getUsage(String meterId, String customerId, Instant start, Instant end) {
		MeterDefinition meter = meterToQuery(meterId, customerId);
		requireOrdered(start, end);
		return this.provider.usage(meter, customerId, start, end);
	}

	private static void requireOrdered(Instant start, Instant end) {
		if (start != null && end != null && !start.isBefore(end)) {
			throw new IllegalArgumentException("start (" + start + ") must be before end (" + end + ")");
		}
	}

	@Override
	public List<MeterUsageSummary> getUsage(String meterId, String customerId, Instant start, Instant end,
			Duration bucket) {
		MeterDefinition meter = meterToQuery(meterId, customerId);
		UsageBuckets.starts(start, end, bucket);
		return this.provider.usage(meter, customerId, start, end, bucket);
	}

	@Override
	public List<MeterUsageSummary> getUsage(String meterId, String customerId, Instant start, Instant end,
			UsageDimensions filter) {
		if (filter == null || filter.isEmpty()) {
			return getUsage(meterId, customerId, start, end);
		}
		MeterDefinition meter = meterToQuery(meterId, customerId);
		requireOrdered(start, end);
		return this.provider.usage(meter, customerId, start, end, filter);
	}

	private MeterDefinition meterToQuery(String meterId, String customerId) {
		MeterDefinition meter = this.meters.forUsageQuery(meterId);
		requireText(customerId, "customerId");
		return meter;
	}

	@Override
	public Optional<String> getCustomerId(BillingSubject subject) {
		if (subject == null) {
			throw new IllegalArgumentException("subject must not be null");
		}
		return this.accounts.find(subject).map(Account::customerId);
	}

	@Override
	public PlanLimitCheck checkPlanLimit(String referenceId, String limitKey, long currentUsage) {
		requireText(limitKey, "limitKey");
		if (currentUsage < 0) {
			throw new IllegalArgumentException("currentUsage must not be negative, was " + currentUsage);
		}
		Optional<Account> account = accountOf(referenceId);
		String plan = account.map(Account::plan).orElse(null);
		return PlanCatalog.check(this.plans.limits(plan), limitKey, currentUsage,
				account.map(Account::hasSubscription).orElse(false));
	}

	@Override
	public PlanLimits getPlanLimits(String referenceId) {
		return this.plans.limits(accountOf(referenceId).map(Account::plan).orElse(null));
	}

	@Override
	public UsageStatus getUsageStatus(String referenceId, String limitKey) {
		requireText(limitKey, "limitKey");
		return this.admission.status(referenceId, accountOf(referenceId).orElse(null), limitKey);
	}

	@Override
	public List<UsageStatus> getUsageStatuses(String referenceId) {
		Account account = accountOf(referenceId).orElse(null);
		return this.meters.limitKeys()
			.stream()
			.map((limitKey) -> this.admission.status(referenceId, account, limitKey))
			.toList();
	}

	/**
	 * The account as limits see it: through a provider outage with nothing cached,
	 * {@code metering.limits.on-lookup-failure} decides, as it does for calls.
	 */
	private Optional<Account> accountOf(String referenceId) {
		requireText(referenceId, "referenceId");
		return this.accounts.findForCall(BillingSubject.organization(referenceId));
	}

	@Override
	public boolean flush(Duration timeout) {
		if (timeout == null || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout must not be null or negative, was " + timeout);
		}
		return this.dispatcher.flush(timeout);
	}

	@Override
	public Balance getBalance(String referenceId, String meterKey) {
		String meter = prepaidMeter(meterKey);
		return this.balances.balance(referenceId, accountOf(referenceId).orElse(null), meter);
	}

	@Override
	public CreditGrant grantCredits(String referenceId, String meterKey, long amount, Instant effectiveAt,
			@Nullable Instant expiresAt, int priority) {
		if (effectiveAt == null) {
			throw new IllegalArgumentException("effectiveAt must not be null");
		}
		return this.balances.grants()
			.grant(referenceId, prepaidMeter(meterKey), amount, effectiveAt, expiresAt, priority);
	}

	@Override
	public List<CreditGrant> getGrants(String referenceId, String meterKey) {
		String meter = prepaidMeter(meterKey);
		return this.balances.activeGrants(referenceId, accountOf(referenceId).orElse(null), meter);
	}

	@Override
	public void revokeGrant(String grantId) {
		requireText(grantId, "grantId");
		this.balances.grants().revoke(grantId);
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * An event still in the outbox (pending, waiting for its customer or dead-lettered)
	 * is cancelled there and never delivered; a delivered one is cancelled at the
	 * provider too. The event is found as long as the outbox keeps it: delivered events
	 * for {@code metering.outbox.retention} in the database, the last ones delivered in
	 * memory.
	 * @throws IllegalStateException when the event is being delivered now, was merged
	 * into another for delivery, or the provider can no longer cancel it: nothing changes
	 */
	@Override
	public boolean cancelUsage(String identifier) {
		requireText(identifier, "identifier");
		return this.cancellation.cancel(identifier);
	}

	/**
	 * The key of a configured meter that draws on balances.
	 */
	private String prepaidMeter(String meterKey) {
		requireText(meterKey, "meterKey");
		this.meters.byKey(meterKey);
		if (!this.balances.prepaid(meterKey)) {
			throw new IllegalArgumentException("Meter '" + meterKey + "' keeps no balance: set metering.meters."
					+ meterKey + ".prepaid=true for its calls to draw on grants");
		}
		return meterKey;
	}

	private static void requireText(String value, String argument) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(argument + " must not be blank");
		}
	}

}
