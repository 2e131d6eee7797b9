package dev.metering.billing;

import java.util.Map;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.metering.BillingSubject;
import dev.metering.MissingBillingAccountException;
import dev.metering.RecordUsageResult;
import dev.metering.UsageLimitExceededException;
import dev.metering.limits.Admission;
import dev.metering.limits.CallEstimate;
import dev.metering.provider.MeterDefinition;

/**
 * The flow of metered work, shared by the ChatClient advisor and the {@code @MeteredUsage}
 * aspect: a scope opens, calls begin (admitted against the plan limit) and complete (their usage
 * counted), the scope closes and its usage is recorded.
 */
public final class UsageMetering {

	private static final Log logger = LogFactory.getLog(UsageMetering.class);

	private final MeterCatalog meters;

	private final BillingAccounts accounts;

	private final BillingSubjects subjects;

	private final PlanAdmission admission;

	private final UsageRecorder recorder;

	private final MissingCustomerPolicy missingCustomerPolicy;

	private final MeteringMetrics metrics;

	public UsageMetering(MeterCatalog meters, BillingAccounts accounts, BillingSubjects subjects,
			PlanAdmission admission, UsageRecorder recorder, MissingCustomerPolicy missingCustomerPolicy,
			MeteringMetrics metrics) {
		this.meters = meters;
		this.accounts = accounts;
		this.subjects = subjects;
		this.admission = admission;
		this.recorder = recorder;
		this.missingCustomerPolicy = missingCustomerPolicy;
		this.metrics = metrics;
	}

	/**
	 * Opens a {@code @MeteredUsage} scope and settles its subject, on the caller's thread. A
	 * scope that records a quantity is checked against its meter's limit now, since its usage
	 * is known only at the end.
	 * @param named the subject the annotation names, or {@code null}
	 */
	public UsageScope openScope(String meterKey, BillingSubject named, boolean collectsTokens) {
		MeterDefinition meter = this.meters.byKey(meterKey);
		BillingSubject subject = this.subjects.forScope(named).orElse(null);
		if (collectsTokens) {
			return UsageScope.collectingTokens(meter, subject, named != null);
		}
		BillingAccount account = accountOrRefuse(subject).orElse(null);
		if (account != null) {
			Admission.Reservation check = this.admission.admit(account, meter.limitKey(), CallEstimate.NOTHING);
			if (check != null) {
				this.admission.settle(check, 0);
			}
		}
		return UsageScope.recordingQuantity(meter, subject, named != null, account);
	}

	/**
	 * Makes a scope (possibly none) the current one on this thread, where ChatClient calls
	 * find it.
	 * @return the scope it replaced, to enter again when this one ends
	 */
	public UsageScope enter(UsageScope scope) {
		return UsageScope.enter(scope);
	}

	/** The scope current on this thread, or {@code null}. */
	public UsageScope currentScope() {
		return UsageScope.current();
	}

	/**
	 * Closes a scope and records its usage: the tokens collected inside it, one event per
	 * account billed, or {@code quantity} when the scope records a quantity ({@code null}: the
	 * method failed).
	 */
	public void closeScope(UsageScope scope, Long quantity) {
		Map<BillingAccount, Long> tokens = scope.close();
		if (scope.collectsTokens()) {
			tokens.forEach((account, amount) -> record(scope.meter(), account, amount));
			return;
		}
		if (quantity == null || quantity == 0) {
			return;
		}
		BillingAccount account = scope.quantityAccount();
		if (account == null) {
			this.metrics.unbilled();
			logger.warn("Usage of " + quantity + " on meter '" + scope.meter().key()
					+ "' was not billed: no billing account for " + describe(scope.subject()));
			return;
		}
		this.admission.charge(account, scope.meter().limitKey(), quantity);
		record(scope.meter(), account, quantity);
	}

	/**
	 * Admits one model round trip for {@code subject}.
	 * @param scope the enclosing scope, or {@code null}
	 * @param estimate what the call may use, reserved against the plan limit
	 * @throws MissingBillingAccountException when there is no account and the policy rejects
	 * @throws UsageLimitExceededException when the plan limit is used up and enforced
	 */
	public MeteredCall begin(BillingSubject subject, UsageScope scope, CallEstimate estimate) {
		UsageScope collecting = (scope != null && scope.collectsTokens()) ? scope : null;
		MeterDefinition meter = (collecting != null) ? collecting.meter() : this.meters.defaultMeter();
		Optional<BillingAccount> account = accountOrRefuse(subject);
		if (account.isEmpty()) {
			this.metrics.unbilled();
			return new MeteredCall(this, null, meter, null, null);
		}
		Admission.Reservation reservation = this.admission.admit(account.get(), meter.limitKey(), estimate);
		return new MeteredCall(this, account.get(), meter, collecting, reservation);
	}

	void complete(MeteredCall call, long quantity) {
		BillingAccount account = call.account();
		if (account == null) {
			return;
		}
		if (call.reservation() != null) {
			this.admission.settle(call.reservation(), quantity);
		}
		else {
			this.admission.charge(account, call.meter().limitKey(), quantity);
		}
		if (quantity > 0 && (call.scope() == null || !call.scope().tryAdd(account, quantity))) {
			record(call.meter(), account, quantity);
		}
	}

	private void record(MeterDefinition meter, BillingAccount account, long quantity) {
		if (quantity <= 0) {
			return;
		}
		if (account.customerId() == null) {
			// the provider could not name the customer when the call began (an outage, allowed
			// by metering.limits.on-lookup-failure): the call ran, its usage has nowhere to go
			this.metrics.unbilled();
			return;
		}
		RecordUsageResult result = this.recorder.record(meter.eventName(), account.customerId(), quantity);
		if (!result.recorded()) {
			this.metrics.refused();
			logger.error("Usage of " + quantity + " for '" + account.referenceId() + "' on meter '" + meter.key()
					+ "' could not be recorded: " + result.error());
		}
	}

	/**
	 * @throws MissingBillingAccountException when there is no account and the policy rejects
	 */
	private Optional<BillingAccount> accountOrRefuse(BillingSubject subject) {
		Optional<BillingAccount> account = (subject != null) ? this.accounts.findForCall(subject) : Optional.empty();
		if (account.isEmpty() && this.missingCustomerPolicy == MissingCustomerPolicy.REJECT) {
			throw new MissingBillingAccountException((subject != null) ? subject.referenceId() : null);
		}
		return account;
	}

	private static String describe(BillingSubject subject) {
		return (subject != null) ? "'" + subject.referenceId() + "'" : "an unknown subject";
	}

}
