package dev.metering.billing;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.InsufficientBalanceException;
import dev.metering.MeteringUnavailableException;
import dev.metering.MissingBillingAccountException;
import dev.metering.UsageDimensions;
import dev.metering.UsageLimitExceededException;
import dev.metering.pricing.CreditCarry;
import dev.metering.pricing.ModelPrice;
import dev.metering.pricing.PriceList;
import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.TokenKind;
import dev.metering.provider.TokenUsage;

/**
 * The flow of metered work, shared by the ChatClient advisor and the
 * {@code @MeteredUsage} aspect: a scope opens, calls begin (admitted against the plan
 * limit) and complete (their usage counted), the scope closes and its usage is recorded.
 * Admissions ({@link BillingObservationDocumentation#ADMISSION}) and recordings
 * ({@link BillingObservationDocumentation#RECORDING}) are observed.
 */
final class UsageMetering {

	private static final Log logger = LogFactory.getLog(UsageMetering.class);

	private static final AdmissionObservationConvention DEFAULT_ADMISSION_CONVENTION = new DefaultAdmissionObservationConvention();

	private static final RecordingObservationConvention DEFAULT_RECORDING_CONVENTION = new DefaultRecordingObservationConvention();

	private final MeterCatalog meters;

	private final BillingAccounts accounts;

	private final BillingSubjects subjects;

	private final PlanAdmission admission;

	private final UsageRecorder recorder;

	private final MissingCustomerPolicy missingCustomerPolicy;

	private final ObservationRegistry observations;

	private final PriceList prices;

	private final CreditCarry carry;

	/** {@code null} for the default. */
	private @Nullable AdmissionObservationConvention admissionConvention;

	/** {@code null} for the default. */
	private @Nullable RecordingObservationConvention recordingConvention;

	/**
	 * @param observations where admissions and recordings are observed
	 * @param prices the prices of credits meters, or {@code null} when none is configured
	 * @param carry the rounding carried on credits meters, or {@code null} without prices
	 */
	UsageMetering(MeterCatalog meters, BillingAccounts accounts, BillingSubjects subjects, PlanAdmission admission,
			UsageRecorder recorder, MissingCustomerPolicy missingCustomerPolicy, ObservationRegistry observations,
			PriceList prices, CreditCarry carry) {
		this.meters = meters;
		this.accounts = accounts;
		this.subjects = subjects;
		this.admission = admission;
		this.recorder = recorder;
		this.missingCustomerPolicy = missingCustomerPolicy;
		this.observations = observations;
		this.prices = prices;
		this.carry = carry;
	}

	/** Replaces {@link DefaultAdmissionObservationConvention}. */
	public void setAdmissionObservationConvention(AdmissionObservationConvention convention) {
		this.admissionConvention = convention;
	}

	/** Replaces {@link DefaultRecordingObservationConvention}. */
	public void setRecordingObservationConvention(RecordingObservationConvention convention) {
		this.recordingConvention = convention;
	}

	/**
	 * Opens a {@code @MeteredUsage} scope and settles its subject, on the caller's
	 * thread. A scope that records a quantity is checked against its meter's limit now,
	 * since its usage is known only at the end.
	 * @param named the subject the annotation names, or {@code null}
	 */
	public UsageScope openScope(String meterKey, @Nullable BillingSubject named, boolean collectsTokens) {
		MeterDefinition meter = this.meters.byKey(meterKey);
		BillingSubject subject = this.subjects.forScope(named).orElse(null);
		if (collectsTokens) {
			return UsageScope.collectingTokens(meter, subject, named != null);
		}
		return admission().observe(() -> openQuantityScope(meter, subject, named != null));
	}

	private UsageScope openQuantityScope(MeterDefinition meter, @Nullable BillingSubject subject, boolean named) {
		AdmissionObservationContext.admitting(this.observations, meter.key(), subject);
		Account account = accountOrRefuse(subject).orElse(null);
		if (account != null) {
			this.recorder.requireRoom();
			CallHold check = this.admission.admit(account, meter, CallEstimate.NOTHING, null);
			this.admission.settle(account, meter, check, 0);
		}
		AdmissionObservationContext.admitted(this.observations, (account != null)
				? AdmissionObservationContext.Outcome.ADMITTED : AdmissionObservationContext.Outcome.UNBILLED);
		return UsageScope.recordingQuantity(meter, subject, named, account);
	}

	/**
	 * Makes a scope (possibly none) the current one on this thread, where ChatClient
	 * calls find it.
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
	 * account billed, or {@code quantity} when the scope records a quantity
	 * ({@code null}: the method failed).
	 */
	public void closeScope(UsageScope scope, @Nullable Long quantity) {
		recording().observe(() -> {
			recordScope(scope, quantity);
			RecordingObservationContext.finished(this.observations);
		});
	}

	private void recordScope(UsageScope scope, @Nullable Long quantity) {
		RecordingObservationContext.recording(this.observations, scope.meter().key());
		Map<UsageScope.Collected, Long> collected = scope.close();
		if (scope.collectsTokens()) {
			collected.forEach((key, amount) -> record(scope.meter(), key.account(), key.dimensions(), amount));
			return;
		}
		if (quantity == null || quantity == 0) {
			return;
		}
		Account account = scope.quantityAccount();
		if (account == null) {
			// counted as unbilled when the scope was admitted
			RecordingObservationContext.unbilled(this.observations);
			logger.warn("Usage of " + quantity + " on meter '" + scope.meter().key()
					+ "' was not billed: no billing account for " + describe(scope.subject()));
			return;
		}
		this.admission.charge(account, scope.meter(), quantity);
		record(scope.meter(), account, UsageDimensions.none(), quantity);
	}

	/**
	 * Admits one model round trip for {@code subject}.
	 * @param scope the enclosing scope, or {@code null}
	 * @param estimate what the call may use, reserved against the plan limit
	 * @throws MissingBillingAccountException when there is no account and the policy
	 * rejects
	 * @throws UsageLimitExceededException when the plan limit is used up and enforced
	 * @throws InsufficientBalanceException when the meter is prepaid, the balance cannot
	 * pay for the call and limits are enforced
	 * @throws MeteringUnavailableException when the call's usage could not be kept: the
	 * outbox's database is away and its room in memory full
	 * @throws IllegalStateException when the meter is in credits, prices are strict and
	 * no pattern prices the model asked for
	 */
	public MeteredCall begin(@Nullable BillingSubject subject, @Nullable UsageScope scope, CallEstimate estimate) {
		if (this.observations.isNoop()) {
			// the hot path of every call: no lambda, no observation, where nothing
			// observes
			return admit(subject, scope, estimate);
		}
		return admission().observe(() -> admit(subject, scope, estimate));
	}

	private MeteredCall admit(@Nullable BillingSubject subject, @Nullable UsageScope scope, CallEstimate estimate) {
		UsageScope collecting = (scope != null && scope.collectsTokens()) ? scope : null;
		MeterDefinition meter = (collecting != null) ? collecting.meter() : this.meters.defaultMeter();
		AdmissionObservationContext.admitting(this.observations, meter.key(), subject);
		ModelPrice price = meter.inCredits() ? requestPrice(meter, estimate.model()) : null;
		Optional<Account> account = accountOrRefuse(subject);
		if (account.isEmpty()) {
			AdmissionObservationContext.admitted(this.observations, AdmissionObservationContext.Outcome.UNBILLED);
			return new MeteredCall(this, null, meter, null, null, estimate.model(), price, null);
		}
		this.recorder.requireRoom();
		CallHold hold = this.admission.admit(account.get(), meter, estimate, price);
		Integer completionCap = this.admission.completionCap(meter, estimate, price, hold);
		AdmissionObservationContext.admitted(this.observations, (completionCap != null)
				? AdmissionObservationContext.Outcome.CAPPED : AdmissionObservationContext.Outcome.ADMITTED);
		return new MeteredCall(this, account.get(), meter, collecting, hold, estimate.model(), price, completionCap);
	}

	/**
	 * The admission of work, observed; its context is created only when it is observed.
	 */
	private Observation admission() {
		return BillingObservationDocumentation.ADMISSION.observation(this.admissionConvention,
				DEFAULT_ADMISSION_CONVENTION, AdmissionObservationContext::new, this.observations);
	}

	/**
	 * The recording of work's usage, observed; its context is created only when it is
	 * observed.
	 */
	private Observation recording() {
		return BillingObservationDocumentation.RECORDING.observation(this.recordingConvention,
				DEFAULT_RECORDING_CONVENTION, RecordingObservationContext::new, this.observations);
	}

	/**
	 * The price of the model a call asks for; refused before the call when strict prices
	 * have none. A call that names no model is priced by the default rates, or, with
	 * strict prices, by the dearest (its answer's model prices it when the answer names
	 * one).
	 */
	private ModelPrice requestPrice(MeterDefinition meter, @Nullable String model) {
		if (model == null && this.prices.isStrict()) {
			return this.prices.dearest();
		}
		ModelPrice price = this.prices.priceOf(model);
		if (price == null) {
			throw new IllegalStateException("No price for model " + ((model != null) ? "'" + model + "'" : "(unnamed)")
					+ " of credits meter '" + meter.key() + "': metering.pricing.strict is true and no "
					+ "metering.pricing.models pattern matches it");
		}
		return price;
	}

	/**
	 * Completes a call with the tokens it used: counted or priced on its meter, settled
	 * against its reservation, and recorded (or collected by its scope), as one event or
	 * one per type of token when the meter has that dimension.
	 */
	void complete(MeteredCall call, TokenUsage tokens, @Nullable String answeredModel) {
		if (this.observations.isNoop()) {
			recordCall(call, tokens, answeredModel);
			return;
		}
		recording().observe(() -> {
			recordCall(call, tokens, answeredModel);
			RecordingObservationContext.finished(this.observations);
		});
	}

	private void recordCall(MeteredCall call, TokenUsage tokens, @Nullable String answeredModel) {
		RecordingObservationContext.recording(this.observations, call.meter().key());
		Account account = call.account();
		if (account == null) {
			RecordingObservationContext.unbilled(this.observations);
			return;
		}
		MeterDefinition meter = call.meter();
		String model = (answeredModel != null) ? answeredModel : call.requestModel();
		if (!meter.hasTokenTypeDimension()) {
			long quantity = meter.inCredits() ? credits(call, account, tokens, model) : meter.tokens().count(tokens);
			settle(call, quantity);
			if (quantity > 0) {
				collectOrRecord(call, account, dimensions(meter, model, null), quantity);
			}
			return;
		}
		TokenKind[] types = TokenKind.types();
		long[] quantities = new long[types.length];
		for (int i = 0; i < types.length; i++) {
			quantities[i] = meter.tokens().includes(types[i]) ? types[i].count(tokens) : 0;
		}
		long total = meter.inCredits() ? credits(call, account, types, quantities, model) : sum(quantities);
		settle(call, total);
		for (int i = 0; i < types.length; i++) {
			if (quantities[i] > 0) {
				collectOrRecord(call, account, dimensions(meter, model, types[i].value()), quantities[i]);
			}
		}
	}

	/**
	 * The whole credits of a call's tokens at the price of the model that answered,
	 * rounding carried.
	 */
	private long credits(MeteredCall call, Account account, TokenUsage tokens, @Nullable String model) {
		long units;
		try {
			units = priceOf(call, model).units(call.meter().tokens(), tokens);
		}
		catch (ArithmeticException ex) {
			units = Long.MAX_VALUE;
		}
		return inWholeCredits(call.meter(), account, units);
	}

	/**
	 * The whole credits of each type of token (replacing its count) and of all, rounding
	 * carried.
	 */
	private long credits(MeteredCall call, Account account, TokenKind[] types, long[] quantities,
			@Nullable String model) {
		ModelPrice price = priceOf(call, model);
		for (int i = 0; i < types.length; i++) {
			quantities[i] = saturatedProduct(quantities[i], price.perToken(types[i]));
		}
		if (account.customerId() == null) {
			// its customer not named yet (an outage): rounded on its own, as no carry is
			// kept for it
			long total = 0;
			for (int i = 0; i < quantities.length; i++) {
				quantities[i] = Math.round((double) quantities[i] / this.prices.unitsPerCredit());
				total += quantities[i];
			}
			return total;
		}
		return this.carry.settle(call.meter().eventName(), account.customerId(), quantities);
	}

	private long inWholeCredits(MeterDefinition meter, Account account, long units) {
		if (account.customerId() == null) {
			return Math.round((double) units / this.prices.unitsPerCredit());
		}
		return this.carry.settle(meter.eventName(), account.customerId(), units);
	}

	/** The answering model's price, else the price of the model asked for. */
	private ModelPrice priceOf(MeteredCall call, @Nullable String model) {
		if (model == null || model.equals(call.requestModel())) {
			return requestPrice(call);
		}
		ModelPrice price = this.prices.priceOf(model);
		return (price != null) ? price : requestPrice(call);
	}

	private static ModelPrice requestPrice(MeteredCall call) {
		return Objects.requireNonNull(call.requestPrice(), "a call on a credits meter is priced when it begins");
	}

	private static long saturatedProduct(long tokens, long perToken) {
		long high = Math.multiplyHigh(tokens, perToken);
		long product = tokens * perToken;
		return (high != 0 || product < 0) ? Long.MAX_VALUE : product;
	}

	private static long sum(long[] quantities) {
		long sum = 0;
		for (long quantity : quantities) {
			sum += quantity;
		}
		return sum;
	}

	/** The dimensions of a meter's event: none unless the meter keeps them. */
	private static UsageDimensions dimensions(MeterDefinition meter, @Nullable String model,
			@Nullable String tokenType) {
		boolean byModel = meter.hasModelDimension() && model != null;
		if (!byModel && tokenType == null) {
			return UsageDimensions.none();
		}
		return new UsageDimensions(byModel ? model : null, tokenType);
	}

	/**
	 * Settles the call's reservation to what it used (0 releases it), or counts it
	 * against the limit.
	 */
	void settle(MeteredCall call, long quantity) {
		Account account = call.account();
		if (account == null) {
			return;
		}
		this.admission.settle(account, call.meter(), call.hold(), quantity);
	}

	private void collectOrRecord(MeteredCall call, Account account, UsageDimensions dimensions, long quantity) {
		if (call.scope() != null && call.scope().tryAdd(account, dimensions, quantity)) {
			RecordingObservationContext.collected(this.observations);
		}
		else {
			record(call.meter(), account, dimensions, quantity);
		}
	}

	private void record(MeterDefinition meter, Account account, UsageDimensions dimensions, long quantity) {
		if (quantity <= 0) {
			return;
		}
		// a customer the provider could not name when the call began (an outage, allowed
		// by
		// metering.limits.on-lookup-failure) is null: the event waits for it in the
		// outbox
		String problem = this.recorder.recordNow(meter.eventName(), account.customerId(), quantity, dimensions,
				account.subject());
		if (problem == null) {
			RecordingObservationContext.recorded(this.observations);
		}
		else {
			RecordingObservationContext.refused(this.observations);
			logger.error("Usage of " + quantity + " for '" + account.referenceId() + "' on meter '" + meter.key()
					+ "' could not be recorded: " + problem);
		}
	}

	/**
	 * @throws MissingBillingAccountException when there is no account and the policy
	 * rejects
	 */
	private Optional<Account> accountOrRefuse(@Nullable BillingSubject subject) {
		Optional<Account> account = (subject != null) ? this.accounts.findForCall(subject) : Optional.empty();
		if (account.isEmpty() && this.missingCustomerPolicy == MissingCustomerPolicy.REJECT) {
			throw new MissingBillingAccountException((subject != null) ? subject.referenceId() : null);
		}
		return account;
	}

	private static String describe(@Nullable BillingSubject subject) {
		return (subject != null) ? "'" + subject.referenceId() + "'" : "an unknown subject";
	}

}
