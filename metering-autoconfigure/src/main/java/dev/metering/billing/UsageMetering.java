package dev.metering.billing;

import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.metering.BillingSubject;
import dev.metering.BillingSubjectResolver;
import dev.metering.MissingBillingAccountException;
import dev.metering.PlanLimits;
import dev.metering.RecordUsageResult;
import dev.metering.UsageLimitExceededException;
import dev.metering.limits.Admission;
import dev.metering.limits.BillingPeriod;
import dev.metering.limits.BillingPeriods;
import dev.metering.limits.PlanCatalog;
import dev.metering.limits.UsageLedger;
import dev.metering.provider.MeterDefinition;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Meters work done for a billing subject: admits it against the plan limit before it starts,
 * then counts what it used and records it. Shared by the ChatClient advisor and the
 * {@code @MeteredUsage} aspect.
 */
public final class UsageMetering {

	private static final Log logger = LogFactory.getLog(UsageMetering.class);

	private final MeterCatalog meters;

	private final BillingAccounts accounts;

	private final PlanCatalog plans;

	private final BillingPeriods periods;

	private final UsageLedger ledger;

	private final UsageRecorder recorder;

	private final Enforcement enforcement;

	private final MissingCustomerPolicy missingCustomerPolicy;

	private final List<BillingSubjectResolver> resolvers;

	private final MeterRegistry registry;

	public UsageMetering(MeterCatalog meters, BillingAccounts accounts, PlanCatalog plans, BillingPeriods periods,
			UsageLedger ledger, UsageRecorder recorder, Enforcement enforcement,
			MissingCustomerPolicy missingCustomerPolicy, List<BillingSubjectResolver> resolvers,
			MeterRegistry registry) {
		this.meters = meters;
		this.accounts = accounts;
		this.plans = plans;
		this.periods = periods;
		this.ledger = ledger;
		this.recorder = recorder;
		this.enforcement = enforcement;
		this.missingCustomerPolicy = missingCustomerPolicy;
		this.resolvers = List.copyOf(resolvers);
		this.registry = registry;
	}

	/** Asks the {@link BillingSubjectResolver} beans, in order, who the current subject is. */
	public Optional<BillingSubject> resolveSubject() {
		for (BillingSubjectResolver resolver : this.resolvers) {
			Optional<BillingSubject> subject = resolver.resolve();
			if (subject.isPresent()) {
				return subject;
			}
		}
		return Optional.empty();
	}

	/**
	 * Where a subject stands against one of its plan limits in its current period, as the
	 * usage ledger counts it; empty when the subject has no billing account.
	 */
	public Optional<LimitStatus> limitStatus(BillingSubject subject, String limitKey) {
		return accountOf(subject).map((account) -> {
			BillingPeriod period = this.periods.current(account.customerId());
			long used = this.ledger.used(account.referenceId(), limitKey, period);
			PlanLimits limits = this.plans.limits(account.plan());
			Long limit = limits.limits().get(limitKey);
			return new LimitStatus(limits.plan(), used, limit, (limit != null) ? Math.max(limit - used, 0) : null,
					period);
		});
	}

	/**
	 * Opens a {@code @MeteredUsage} scope. A scope that records a quantity is checked against
	 * its meter's limit now, since its usage is known only at the end.
	 */
	public UsageScope openScope(String meterKey, BillingSubject subject, boolean collectsTokens) {
		UsageScope scope = new UsageScope(this.meters.byKey(meterKey), subject, collectsTokens);
		if (!collectsTokens) {
			accountOrRefuse(subjectOf(scope)).flatMap((found) -> admit(found, scope.meter(), () -> 0))
				.ifPresent((reservation) -> this.ledger.settle(reservation, 0));
		}
		return scope;
	}

	/**
	 * Closes a scope and records its one event: the tokens collected inside it, or
	 * {@code quantity} when the scope records a quantity ({@code null}: the method failed).
	 */
	public void closeScope(UsageScope scope, Long quantity) {
		long tokens = scope.close();
		if (scope.collectsTokens()) {
			if (tokens > 0 && scope.account() != null) {
				record(scope.meter(), scope.account(), tokens);
			}
			return;
		}
		if (quantity == null || quantity == 0) {
			return;
		}
		BillingSubject subject = subjectOf(scope);
		Optional<BillingAccount> account = accountOf(subject);
		if (account.isEmpty()) {
			countUnbilled();
			logger.warn("Usage of " + quantity + " on meter '" + scope.meter().key()
					+ "' was not billed: no billing account for " + describe(subject));
			return;
		}
		if (scope.meter().limitKey() != null) {
			this.ledger.add(account.get().referenceId(), scope.meter().limitKey(),
					this.periods.current(account.get().customerId()), quantity);
		}
		record(scope.meter(), account.get(), quantity);
	}

	/**
	 * Admits one model round trip for {@code subject} (or, when {@code null}, the one the
	 * scope or resolvers name).
	 * @param promptEstimate estimates the prompt's tokens; called only when a limit applies
	 * @throws MissingBillingAccountException when there is no account and the policy rejects
	 * @throws UsageLimitExceededException when the plan limit is used up and enforced
	 */
	public MeteredCall begin(BillingSubject subject, UsageScope scope, LongSupplier promptEstimate) {
		boolean scoped = scope != null && scope.collectsTokens();
		MeterDefinition meter = scoped ? scope.meter() : this.meters.defaultMeter();
		Optional<BillingAccount> account = accountOrRefuse(subject);
		if (account.isEmpty()) {
			countUnbilled();
			return new MeteredCall(this, null, meter, null, null);
		}
		Admission.Reservation reservation = admit(account.get(), meter, promptEstimate).orElse(null);
		return new MeteredCall(this, account.get(), meter, scoped ? scope : null, reservation);
	}

	void complete(MeteredCall call, long quantity) {
		BillingAccount account = call.account();
		if (account == null) {
			return;
		}
		if (call.reservation() != null) {
			this.ledger.settle(call.reservation(), quantity);
		}
		else if (call.meter().limitKey() != null && quantity > 0) {
			this.ledger.add(account.referenceId(), call.meter().limitKey(),
					this.periods.current(account.customerId()), quantity);
		}
		if (quantity > 0 && (call.scope() == null || !call.scope().tryAdd(account, quantity))) {
			record(call.meter(), account, quantity);
		}
	}

	private Optional<Admission.Reservation> admit(BillingAccount account, MeterDefinition meter,
			LongSupplier promptEstimate) {
		String limitKey = meter.limitKey();
		if (limitKey == null || this.enforcement == Enforcement.OFF) {
			return Optional.empty();
		}
		Long limit = this.plans.limits(account.plan()).limits().get(limitKey);
		if (limit == null) {
			return Optional.empty();
		}
		String referenceId = account.referenceId();
		// A call's size is known only after it ran: reserve the larger of the prompt and the
		// last call's size, so that parallel calls cannot all slip under the limit.
		long estimate = Math.max(promptEstimate.getAsLong(), this.ledger.lastCallSize(referenceId, limitKey));
		BillingPeriod period = this.periods.current(account.customerId());
		Admission admission = this.ledger.tryReserve(referenceId, limitKey, period, limit, estimate);
		if (admission instanceof Admission.Reservation reservation) {
			return Optional.of(reservation);
		}
		Admission.Refused refused = (Admission.Refused) admission;
		this.registry.counter("metering.calls.over-limit", "limit", limitKey).increment();
		if (this.enforcement == Enforcement.ENFORCE) {
			throw new UsageLimitExceededException(limitKey, limit, refused.used(), period.end());
		}
		logger.warn("'" + referenceId + "' is over its '" + limitKey + "' limit (" + refused.used() + " of " + limit
				+ "); letting the call through because metering.enforcement=warn");
		return Optional.empty();
	}

	private void record(MeterDefinition meter, BillingAccount account, long quantity) {
		RecordUsageResult result = this.recorder.record(meter.eventName(), account.customerId(), quantity,
				this.recorder.clock().instant());
		if (!result.recorded()) {
			this.registry.counter("metering.events.refused").increment();
			logger.error("Usage of " + quantity + " for '" + account.referenceId() + "' on meter '" + meter.key()
					+ "' could not be recorded: " + result.error());
		}
	}

	private BillingSubject subjectOf(UsageScope scope) {
		return (scope.subject() != null) ? scope.subject() : resolveSubject().orElse(null);
	}

	/**
	 * @throws MissingBillingAccountException when there is no account and the policy rejects
	 */
	private Optional<BillingAccount> accountOrRefuse(BillingSubject subject) {
		Optional<BillingAccount> account = accountOf(subject);
		if (account.isEmpty() && this.missingCustomerPolicy == MissingCustomerPolicy.REJECT) {
			throw new MissingBillingAccountException((subject != null) ? subject.referenceId() : null);
		}
		return account;
	}

	private Optional<BillingAccount> accountOf(BillingSubject subject) {
		return (subject != null) ? this.accounts.find(subject) : Optional.empty();
	}

	private void countUnbilled() {
		this.registry.counter("metering.calls.unbilled").increment();
	}

	private static String describe(BillingSubject subject) {
		return (subject != null) ? "'" + subject.referenceId() + "'" : "an unknown subject";
	}

}
