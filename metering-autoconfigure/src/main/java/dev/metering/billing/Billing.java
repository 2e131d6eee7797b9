package dev.metering.billing;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.function.Supplier;

import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.ai.tokenizer.TokenCountEstimator;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.server.WebFilter;

import dev.metering.BillingAccountResolver;
import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.BillingSubjectResolver;
import dev.metering.MeteredUsage;
import dev.metering.MeteringAdvisor;
import dev.metering.ReactiveBillingSubjectResolver;
import dev.metering.balance.GrantSource;
import dev.metering.balance.GrantSources;
import dev.metering.delivery.UsageDispatcher;
import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;
import dev.metering.outbox.UsageOutbox;
import dev.metering.pricing.CreditCarry;
import dev.metering.pricing.PriceList;
import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterProvider;

/**
 * Metering's billing, built once from its parts: who is billed, plan admission, recording
 * and delivery behind the {@link BillingClient}, and what meters the work of an
 * application — the ChatClient advisor, the {@link MeteredUsage} interceptor and the
 * WebFlux filter that resolves the billed subject once per request.
 *
 * @since 0.1.0
 */
public final class Billing {

	private final BillingSubjects subjects;

	private final UsageMetering metering;

	private final UsageDispatcher dispatcher;

	private final BillingClient client;

	private Billing(Builder builder, BillingPeriods periods, UsageLedger ledger, PriceList prices, CreditCarry carry) {
		MeterProvider provider = builder.provider;
		MeterCatalog meters = builder.meters;
		PlanCatalog plans = new PlanCatalog(builder.plans, builder.defaultPlan);
		LookupFailures failures = new LookupFailures(builder.lookupFailurePolicy, builder.failureBackoff,
				builder.observations);
		BillingAccounts accounts = new BillingAccounts(builder.accounts, builder.accountResolvers, provider, plans,
				failures);
		this.subjects = new BillingSubjects(builder.subjectResolvers, builder.reactiveSubjectResolvers);
		UsageRecorder recorder = new UsageRecorder(meters, accounts, provider, builder.outbox,
				builder.rejectUnknownEvents, builder.clock);
		GrantSource grants = (builder.grants != null) ? builder.grants : GrantSources.inMemory(builder.clock);
		PrepaidBalances balances = new PrepaidBalances(builder.prepaidMeters, grants, plans, periods, ledger,
				builder.clock);
		PlanAdmission admission = new PlanAdmission(plans, periods, ledger, builder.enforcement, builder.observations,
				builder.completionEstimate, builder.reservationWait, prices, builder.onLimit,
				builder.minCompletionTokens, balances);
		this.metering = new UsageMetering(meters, accounts, this.subjects, admission, recorder,
				builder.onMissingCustomer, builder.observations, prices, carry);
		if (builder.admissionConvention != null) {
			this.metering.setAdmissionObservationConvention(builder.admissionConvention);
		}
		if (builder.recordingConvention != null) {
			this.metering.setRecordingObservationConvention(builder.recordingConvention);
		}
		this.dispatcher = builder.delivery.customers(accounts::customerOf).build();
		this.client = new DefaultBillingClient(recorder, meters, accounts, plans, admission, periods, provider,
				this.dispatcher, balances,
				new UsageCancellation(builder.outbox, this.dispatcher, provider, meters, admission));
	}

	/**
	 * Starts the billing of a provider's meters.
	 * @param provider where usage is delivered and customers are looked up
	 * @param meters the configured meters
	 * @param outbox where recorded usage waits for delivery
	 * @param delivery the dispatcher to build, once billing has told it the customers
	 */
	public static Builder builder(MeterProvider provider, MeterCatalog meters, UsageOutbox outbox,
			UsageDispatcher.Builder delivery) {
		return new Builder(provider, meters, outbox, delivery);
	}

	/**
	 * The billing periods of the provider's subscriptions, which, while the provider
	 * cannot tell them, are the fallback's or fail the call as the policy says.
	 * @param subscriptions the periods the provider tells
	 * @param fallback the periods used while the provider cannot tell
	 * @param policy what a call does while the provider cannot tell, or {@code null} to
	 * fail it
	 * @param failureBackoff how long a failed look-up is not retried
	 * @param observations where failed look-ups are observed
	 */
	public static BillingPeriods outageTolerantPeriods(BillingPeriods subscriptions, BillingPeriods fallback,
			@Nullable LookupFailurePolicy policy, Duration failureBackoff, ObservationRegistry observations) {
		return new OutageTolerantPeriods(subscriptions, fallback,
				new LookupFailures(policy, failureBackoff, observations));
	}

	/**
	 * The filter that adds the billed organization to Spring AI's chat model
	 * observations.
	 */
	public static ObservationFilter organizationObservationFilter() {
		return new OrganizationObservationFilter();
	}

	/** The client applications bill with. */
	public BillingClient client() {
		return this.client;
	}

	/** The dispatcher that delivers recorded usage to the provider. */
	public UsageDispatcher dispatcher() {
		return this.dispatcher;
	}

	/**
	 * The advisor, with its companion, that admits, meters and records the calls of a
	 * chat client.
	 * @param estimator counts the tokens of prompts, and of answers whose model reports
	 * none
	 * @param defaultModel the model of a request whose options name none (the
	 * application's chat model's default), or {@code null} when unknown
	 * @param originOnCalls whether the companion also puts who a call bills in the
	 * request context of calls, not only of streams, for observations that read it there
	 * @param observations where round trips billed by estimate are observed
	 * @param clock paces the warnings of round trips billed by estimate
	 * @param estimateConvention the application's convention of the estimate
	 * observations, or {@code null} for the default one
	 */
	public MeteringAdvisor chatClientAdvisor(TokenCountEstimator estimator, @Nullable String defaultModel,
			boolean originOnCalls, ObservationRegistry observations, Clock clock,
			@Nullable EstimateObservationConvention estimateConvention) {
		ChatClientMeteringAdvisor advisor = new ChatClientMeteringAdvisor(this.metering, this.subjects, estimator,
				defaultModel, originOnCalls, observations, clock);
		if (estimateConvention != null) {
			advisor.setEstimateObservationConvention(estimateConvention);
		}
		return advisor;
	}

	/**
	 * The Spring AOP advisor that meters each invocation of a {@link MeteredUsage} method
	 * as one usage event. Billing is asked for on the first invocation: an advisor is
	 * made while the context still registers its bean post-processors, and what billing
	 * is built from must not be made that early.
	 * @param billing supplies billing when a method is first invoked
	 */
	public static Advisor meteredUsageAdvisor(Supplier<Billing> billing) {
		return new DefaultPointcutAdvisor(AnnotationMatchingPointcut.forMethodAnnotation(MeteredUsage.class),
				new MeteredUsageInterceptor(SingletonSupplier.of(() -> billing.get().metering)));
	}

	/**
	 * The WebFlux filter that asks the application's reactive billing subject resolvers
	 * once per request.
	 */
	public WebFilter subjectWebFilter() {
		return new MeteringSubjectWebFilter(this.subjects);
	}

	/**
	 * Builds {@link Billing}. What is not set has the default of the property that
	 * configures it.
	 */
	public static final class Builder {

		private final MeterProvider provider;

		private final MeterCatalog meters;

		private final UsageOutbox outbox;

		private final UsageDispatcher.Builder delivery;

		private final Map<String, PlanDefinition> plans = new LinkedHashMap<>();

		private String defaultPlan = "default";

		private final Map<String, Account> accounts = new LinkedHashMap<>();

		private List<BillingAccountResolver> accountResolvers = List.of();

		private List<BillingSubjectResolver> subjectResolvers = List.of();

		private List<ReactiveBillingSubjectResolver> reactiveSubjectResolvers = List.of();

		private @Nullable BillingPeriods periods;

		private @Nullable UsageLedger ledger;

		private @Nullable PriceList prices;

		private @Nullable CreditCarry carry;

		private @Nullable GrantSource grants;

		private Set<String> prepaidMeters = Set.of();

		private Enforcement enforcement = Enforcement.ENFORCE;

		private OnLimit onLimit = OnLimit.REFUSE;

		private long completionEstimate = 1000;

		private Duration reservationWait = Duration.ofSeconds(2);

		private int minCompletionTokens = 64;

		private MissingCustomerPolicy onMissingCustomer = MissingCustomerPolicy.REJECT;

		private boolean rejectUnknownEvents = true;

		private @Nullable LookupFailurePolicy lookupFailurePolicy = LookupFailurePolicy.ALLOW;

		private Duration failureBackoff = Duration.ofSeconds(10);

		private ObservationRegistry observations = ObservationRegistry.NOOP;

		private @Nullable AdmissionObservationConvention admissionConvention;

		private @Nullable RecordingObservationConvention recordingConvention;

		private Clock clock = Clock.systemUTC();

		private Builder(MeterProvider provider, MeterCatalog meters, UsageOutbox outbox,
				UsageDispatcher.Builder delivery) {
			this.provider = Objects.requireNonNull(provider, "provider");
			this.meters = Objects.requireNonNull(meters, "meters");
			this.outbox = Objects.requireNonNull(outbox, "outbox");
			this.delivery = Objects.requireNonNull(delivery, "delivery");
		}

		/**
		 * Adds a plan.
		 * @param name the plan's name
		 * @param subscriptionIds the provider's IDs that put a subscription on the plan
		 * @param limits the plan's limit per limit key
		 */
		public Builder plan(String name, List<String> subscriptionIds, Map<String, Long> limits) {
			this.plans.put(name, new PlanDefinition(subscriptionIds, limits, Map.of()));
			return this;
		}

		/**
		 * Gives a plan's subscribers a grant on a prepaid meter at the start of each
		 * billing period, made the first time it is needed in the period.
		 * @param plan a plan added before
		 * @param meterKey a meter set prepaid with {@link #balances}
		 * @param amount what each grant holds, in the meter's unit; 0 grants nothing
		 * @param rollover whether what is left of a grant stays usable after its period
		 * instead of expiring with it
		 */
		public Builder planGrant(String plan, String meterKey, long amount, boolean rollover) {
			PlanDefinition definition = this.plans.get(plan);
			if (definition == null) {
				throw new IllegalArgumentException("Unknown plan '" + plan + "'; add it first: " + this.plans.keySet());
			}
			if (!this.prepaidMeters.contains(meterKey)) {
				throw new IllegalArgumentException("Meter '" + meterKey
						+ "' is not prepaid; set it with balances(...) first: " + this.prepaidMeters);
			}
			if (amount < 0) {
				throw new IllegalArgumentException("amount must not be negative, was " + amount);
			}
			if (amount > 0) {
				this.plans.put(plan, definition.withGrant(meterKey, new PlanGrant(amount, rollover)));
			}
			return this;
		}

		/** The plan of accounts that name none; {@code default} unless set. */
		public Builder defaultPlan(String defaultPlan) {
			this.defaultPlan = defaultPlan;
			return this;
		}

		/**
		 * Adds a configured account.
		 * @param organizationId the organization it bills
		 * @param customerId its customer at the provider
		 * @param plan its plan, or {@code null} for the plan its subscription tells
		 */
		public Builder account(String organizationId, String customerId, @Nullable String plan) {
			this.accounts.put(organizationId,
					new Account(BillingSubject.organization(organizationId), customerId, plan));
			return this;
		}

		/** The application's account resolvers, asked in order; none unless set. */
		public Builder accountResolvers(List<BillingAccountResolver> resolvers) {
			this.accountResolvers = new ArrayList<>(resolvers);
			return this;
		}

		/**
		 * The application's subject resolvers, blocking and reactive, asked in order;
		 * none unless set.
		 */
		public Builder subjectResolvers(List<BillingSubjectResolver> resolvers,
				List<ReactiveBillingSubjectResolver> reactiveResolvers) {
			this.subjectResolvers = new ArrayList<>(resolvers);
			this.reactiveSubjectResolvers = new ArrayList<>(reactiveResolvers);
			return this;
		}

		/**
		 * What calls are admitted against: the billing periods and the usage ledger.
		 * Required.
		 */
		public Builder limits(BillingPeriods periods, UsageLedger ledger) {
			this.periods = periods;
			this.ledger = ledger;
			return this;
		}

		/**
		 * The prices of credits meters and the rounding carried on them. Required.
		 */
		public Builder pricing(PriceList prices, CreditCarry carry) {
			this.prices = prices;
			this.carry = carry;
			return this;
		}

		/**
		 * The prepaid balances that calls on some meters draw on, besides their plan
		 * limits. None unless set.
		 * @param grants where the organizations' credit grants are kept
		 * @param prepaidMeters the keys of the meters whose calls draw on balances
		 */
		public Builder balances(GrantSource grants, Set<String> prepaidMeters) {
			for (String meterKey : prepaidMeters) {
				this.meters.byKey(meterKey);
			}
			this.grants = grants;
			this.prepaidMeters = Set.copyOf(prepaidMeters);
			return this;
		}

		/**
		 * How admission treats calls.
		 * @param enforcement whether limits refuse calls
		 * @param onLimit what a call over its limit does
		 * @param completionEstimate the completion tokens reserved for a call that caps
		 * none
		 * @param reservationWait how long a call waits for the quota of calls in flight
		 * @param minCompletionTokens the fewest completion tokens a capped call is given
		 */
		public Builder admission(Enforcement enforcement, OnLimit onLimit, long completionEstimate,
				Duration reservationWait, int minCompletionTokens) {
			this.enforcement = enforcement;
			this.onLimit = onLimit;
			this.completionEstimate = completionEstimate;
			this.reservationWait = reservationWait;
			this.minCompletionTokens = minCompletionTokens;
			return this;
		}

		/**
		 * What happens to work whose organization has no customer.
		 */
		public Builder onMissingCustomer(MissingCustomerPolicy policy) {
			this.onMissingCustomer = policy;
			return this;
		}

		/** Whether events no meter records are refused. */
		public Builder rejectUnknownEvents(boolean reject) {
			this.rejectUnknownEvents = reject;
			return this;
		}

		/**
		 * What a call does while the provider cannot tell its customer or plan.
		 * @param policy the policy, or {@code null} to fail the call
		 * @param failureBackoff how long a failed look-up is not retried
		 */
		public Builder onLookupFailure(@Nullable LookupFailurePolicy policy, Duration failureBackoff) {
			this.lookupFailurePolicy = policy;
			this.failureBackoff = failureBackoff;
			return this;
		}

		/**
		 * Where admissions and recordings are observed, with the application's
		 * conventions; none unless set.
		 * @param admissionConvention the admission convention, or {@code null} for the
		 * default
		 * @param recordingConvention the recording convention, or {@code null} for the
		 * default
		 */
		public Builder observations(ObservationRegistry observations,
				@Nullable AdmissionObservationConvention admissionConvention,
				@Nullable RecordingObservationConvention recordingConvention) {
			this.observations = observations;
			this.admissionConvention = admissionConvention;
			this.recordingConvention = recordingConvention;
			return this;
		}

		/** The clock that stamps recorded usage; the system's in UTC unless set. */
		public Builder clock(Clock clock) {
			this.clock = clock;
			return this;
		}

		/**
		 * Builds billing.
		 * @throws IllegalStateException when the limits or the pricing are not set
		 */
		public Billing build() {
			BillingPeriods periods = this.periods;
			UsageLedger ledger = this.ledger;
			if (periods == null || ledger == null) {
				throw new IllegalStateException("Billing needs limits(periods, ledger)");
			}
			PriceList prices = this.prices;
			CreditCarry carry = this.carry;
			if (prices == null || carry == null) {
				throw new IllegalStateException("Billing needs pricing(prices, carry)");
			}
			return new Billing(this, periods, ledger, prices, carry);
		}

	}

}
