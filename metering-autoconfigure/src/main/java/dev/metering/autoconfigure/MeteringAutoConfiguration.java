package dev.metering.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

import dev.metering.BillingAccountResolver;
import dev.metering.BillingClient;
import dev.metering.BillingSubjectResolver;
import dev.metering.ReactiveBillingSubjectResolver;
import dev.metering.admin.MeteringAdmin;
import dev.metering.billing.AdmissionObservationConvention;
import dev.metering.balance.GrantSource;
import dev.metering.billing.Billing;
import dev.metering.provider.MeterCatalog;
import dev.metering.billing.RecordingObservationConvention;
import dev.metering.delivery.DeliveryObservationConvention;
import dev.metering.delivery.ProviderRequestObservationConvention;
import dev.metering.delivery.UsageDispatcher;
import dev.metering.limits.BillingPeriodSources;
import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;
import dev.metering.limits.UsageLedgers;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.pricing.CreditCarry;
import dev.metering.pricing.PriceList;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.outbox.UsageOutbox;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderAccess;

/**
 * Auto-configuration of the core of Spring AI Metering: the meters and plans, who is
 * billed, plan admission, recording, the outbox (in memory unless the JDBC outbox
 * applies) and delivery to the {@link MeterProvider} that a provider auto-configuration
 * contributes, behind a {@link BillingClient}. The beans of the types an application may
 * replace back off when it defines its own.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties({ MeteringProperties.class, MeteringOutboxProperties.class,
		MeteringDeliveryProperties.class, MeteringLimitsProperties.class, MeteringCacheProperties.class,
		MeteringPricingProperties.class })
public final class MeteringAutoConfiguration {

	private static final Log logger = LogFactory.getLog(MeteringAutoConfiguration.class);

	private final MeteringProperties properties;

	private final MeteringLimitsProperties limits;

	private final MeteringCacheProperties cache;

	MeteringAutoConfiguration(MeteringProperties properties, MeteringLimitsProperties limits,
			MeteringCacheProperties cache) {
		this.properties = properties;
		this.limits = limits;
		this.cache = cache;
	}

	@Bean
	@ConditionalOnMissingBean({ UsageOutbox.class, DeliveryQueue.class, UndeliveredUsage.class })
	InMemoryUsageOutbox meteringOutbox(MeteringOutboxProperties outbox, ConfigurableListableBeanFactory beans,
			ObjectProvider<Clock> clock) {
		DatabaseAbsence absence = DatabaseAbsence.of(beans);
		if (outbox.store() == MeteringProperties.Store.JDBC) {
			throw absence.storeFailure("metering.outbox.store");
		}
		logger.warn("Usage waits for delivery in memory: a crash loses usage not yet delivered. " + absence.advice()
				+ " for a durable outbox.");
		return new InMemoryUsageOutbox(clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	UsageLedger meteringUsageLedger(ApplicationEventPublisher events, ConfigurableListableBeanFactory beans,
			ObjectProvider<BalanceSettings> balances) {
		DatabaseAbsence absence = DatabaseAbsence.of(beans);
		if (this.limits.store() == MeteringProperties.Store.JDBC) {
			throw absence.storeFailure("metering.limits.store");
		}
		logger.warn("Plan limits are counted in memory: usage resets when the application restarts, and each "
				+ "instance counts only its own calls. " + absence.advice() + " for limits that hold.");
		return UsageLedgers.inMemory(LimitChecks.thresholds(this.limits),
				BalanceSettings.thresholdsOf(balances.getIfUnique()), events);
	}

	/**
	 * The periods of the provider's subscriptions, else calendar months in UTC, which are
	 * also what a call goes on with when the provider cannot tell the subscription.
	 */
	@Bean
	@ConditionalOnMissingBean
	BillingPeriods meteringBillingPeriods(MeterProvider provider, ObjectProvider<Clock> clock,
			MeteringObservations observations) {
		Clock time = clock.getIfUnique(Clock::systemUTC);
		BillingPeriods calendarMonths = BillingPeriodSources.calendarMonths(time);
		return Billing.outageTolerantPeriods(BillingPeriodSources.subscriptions(provider, calendarMonths, time),
				calendarMonths, this.limits.onLookupFailure(), failureBackoff(), observations.registry());
	}

	/**
	 * Where metering observes when the application has no meter registry: its observation
	 * registry, else none. With a meter registry, metering's metrics auto-configuration
	 * decides.
	 */
	@Bean
	@ConditionalOnMissingBean
	MeteringObservations meteringObservations(ObjectProvider<ObservationRegistry> observations) {
		return new MeteringObservations(observations.getIfUnique(() -> ObservationRegistry.NOOP));
	}

	/** Whether the provider accepts metering's credentials, learnt from its answers. */
	@Bean
	ProviderAccess meteringProviderAccess(ObjectProvider<Clock> clock) {
		MeteringProperties.Provider provider = this.properties.provider();
		return new ProviderAccess(provider.name().toLowerCase(Locale.ROOT), credentialProperty(provider),
				clock.getIfUnique(Clock::systemUTC));
	}

	private static String credentialProperty(MeteringProperties.Provider provider) {
		return switch (provider) {
			case STRIPE -> MeteringProperties.PREFIX + ".stripe.api-key";
			case POLAR -> MeteringProperties.PREFIX + ".polar.access-token";
			case METRONOME -> MeteringProperties.PREFIX + ".metronome.api-token";
			case LOCAL -> "the MeterProvider bean's credentials";
		};
	}

	@Bean
	MeterCatalog meteringMeterCatalog() {
		return MeterDefinitions.catalog(this.properties);
	}

	/**
	 * Billing, built from the properties and the parts an application may replace: who is
	 * billed, admission, recording and delivery.
	 */
	@Bean
	Billing meteringBilling(MeterProvider provider, MeterCatalog meters, UsageOutbox outbox, DeliveryQueue queue,
			BillingPeriods periods, UsageLedger ledger, PriceList prices, CreditCarry carry,
			ObjectProvider<BillingAccountResolver> accountResolvers,
			ObjectProvider<BillingSubjectResolver> subjectResolvers,
			ObjectProvider<ReactiveBillingSubjectResolver> reactiveSubjectResolvers, MeteringObservations observations,
			ObjectProvider<AdmissionObservationConvention> admissionConvention,
			ObjectProvider<RecordingObservationConvention> recordingConvention,
			ObjectProvider<DeliveryObservationConvention> deliveryConvention,
			ObjectProvider<ProviderRequestObservationConvention> requestConvention, ObjectProvider<Clock> clock,
			MeteringDeliveryProperties delivery, MeteringOutboxProperties outboxProperties,
			ObjectProvider<BalanceSettings> balances, ObjectProvider<GrantSource> grants) {
		Clock time = clock.getIfUnique(Clock::systemUTC);
		UsageDispatcher.Builder dispatcher = dispatcher(UsageDispatcher.builder(queue, provider), delivery,
				outboxProperties, meters)
			.clock(time)
			.observations(observations.registry(), deliveryConvention.getIfUnique(), requestConvention.getIfUnique());
		Billing.Builder billing = Billing.builder(provider, meters, outbox, dispatcher)
			.accountResolvers(accountResolvers.orderedStream().toList())
			.subjectResolvers(subjectResolvers.orderedStream().toList(),
					reactiveSubjectResolvers.orderedStream().toList())
			.limits(periods, ledger)
			.pricing(prices, carry)
			.onMissingCustomer(this.properties.onMissingCustomer())
			.rejectUnknownEvents(!this.properties.allowUnknownEvents())
			.onLookupFailure(this.limits.onLookupFailure(), failureBackoff())
			.observations(observations.registry(), admissionConvention.getIfUnique(), recordingConvention.getIfUnique())
			.clock(time);
		plans(billing);
		accounts(billing);
		admission(billing);
		BalanceSettings balanceSettings = balances.getIfUnique();
		if (balanceSettings != null && !balanceSettings.prepaidMeters().isEmpty()) {
			billing.balances(grants.getObject(), balanceSettings.prepaidMeters());
			balanceSettings.planGrants()
				.forEach((plan, byMeter) -> byMeter
					.forEach((meter, grant) -> billing.planGrant(plan, meter, grant.amount(), grant.rollover())));
		}
		return billing.build();
	}

	private void plans(Billing.Builder billing) {
		this.properties.plans().forEach((name, plan) -> {
			plan.limits().forEach((key, limit) -> {
				if (limit == null || limit < 0) {
					throw new InvalidMeteringPropertyException("metering.plans." + name + ".limits." + key, limit,
							"must not be negative, was " + limit);
				}
			});
			billing.plan(name, subscriptionIds(plan), plan.limits());
		});
		Set<String> plans = this.properties.plans().keySet();
		if (!plans.isEmpty() && !plans.contains(this.properties.defaultPlan())) {
			throw new InvalidMeteringPropertyException("metering.default-plan", this.properties.defaultPlan(),
					"'" + this.properties.defaultPlan() + "' is not a plan under metering.plans " + plans);
		}
		billing.defaultPlan(this.properties.defaultPlan());
	}

	/**
	 * The IDs that put a subscription on the plan, as the provider that bills it names
	 * them: Stripe prices, Polar products, or a Metronome contract's rate card and
	 * subscribed products.
	 */
	private List<String> subscriptionIds(MeteringProperties.Plan plan) {
		return switch (this.properties.provider()) {
			case POLAR -> plan.polarProductIds();
			case METRONOME ->
				Stream.concat(plan.metronomeRateCardIds().stream(), plan.metronomeProductIds().stream()).toList();
			case STRIPE, LOCAL -> plan.priceIds();
		};
	}

	private void accounts(Billing.Builder billing) {
		Map<String, MeteringProperties.Plan> configuredPlans = this.properties.plans();
		this.properties.accounts().forEach((id, account) -> {
			if (account.customerId() == null || account.customerId().isBlank()) {
				throw new InvalidMeteringPropertyException("metering.accounts." + id + ".customer-id",
						(account.customerId() != null) ? account.customerId() : "", "must not be blank");
			}
			if (account.plan() != null && !configuredPlans.isEmpty() && !configuredPlans.containsKey(account.plan())) {
				throw new InvalidMeteringPropertyException("metering.accounts." + id + ".plan", account.plan(),
						"'" + account.plan() + "' is not a plan under metering.plans " + configuredPlans.keySet());
			}
			billing.account(id, account.customerId(), account.plan());
		});
	}

	private void admission(Billing.Builder billing) {
		MeteringLimitsProperties limits = this.limits;
		String prefix = MeteringLimitsProperties.PREFIX;
		if (limits.completionEstimate() < 0) {
			throw new InvalidMeteringPropertyException(prefix + ".completion-estimate", limits.completionEstimate(),
					"must not be negative, was " + limits.completionEstimate());
		}
		billing.admission(this.properties.enforcement(), limits.onLimit(), limits.completionEstimate(),
				PropertyChecks.notNegative(prefix + ".reservation-wait", limits.reservationWait()),
				(int) PropertyChecks.atLeastOne(prefix + ".min-completion-tokens", limits.minCompletionTokens()));
	}

	private UsageDispatcher.Builder dispatcher(UsageDispatcher.Builder dispatcher, MeteringDeliveryProperties delivery,
			MeteringOutboxProperties outbox, MeterCatalog meters) {
		String prefix = MeteringDeliveryProperties.PREFIX;
		if (delivery.initialBackoff().isNegative() || delivery.initialBackoff().isZero()
				|| delivery.maxBackoff().compareTo(delivery.initialBackoff()) < 0) {
			throw new InvalidMeteringPropertyException(prefix + ".initial-backoff", delivery.initialBackoff(),
					"must be positive and not above metering.delivery.max-backoff, was " + delivery.initialBackoff());
		}
		return dispatcher
			.backoff(delivery.initialBackoff(), delivery.maxBackoff(),
					(int) PropertyChecks.atLeastOne(prefix + ".max-attempts", delivery.maxAttempts()))
			.pacing(PropertyChecks.positive(prefix + ".flush-interval", delivery.flushInterval()),
					PropertyChecks.notNegative(prefix + ".shutdown-timeout", delivery.shutdownTimeout()),
					(int) PropertyChecks.atLeastOne(prefix + ".concurrency", delivery.concurrency()))
			.coalescedEventNames(delivery.coalesce() ? meters.summedEventNames() : Set.of())
			.retention(PropertyChecks.retention(outbox))
			.customerLookupRetry(failureBackoff());
	}

	private Duration failureBackoff() {
		return PropertyChecks.positive(MeteringCacheProperties.PREFIX + ".failure-backoff",
				this.cache.failureBackoff());
	}

	/** The dispatcher of billing, run as the context's lifecycle says. */
	@Bean
	UsageDispatcher meteringUsageDispatcher(Billing billing) {
		return billing.dispatcher();
	}

	@Bean
	@ConditionalOnMissingBean
	PriceList meteringPriceList(MeteringPricingProperties pricing) {
		return PriceLists.of(pricing, this.properties);
	}

	/**
	 * The rounding of credits carried in memory, unless the usage ledger keeps it in the
	 * database.
	 */
	@Bean
	@ConditionalOnMissingBean
	CreditCarry meteringCreditCarry(PriceList prices) {
		return new CreditCarry(prices.unitsPerCredit(), null, Duration.ZERO);
	}

	@Bean
	@ConditionalOnMissingBean
	BillingClient billingClient(Billing billing) {
		return billing.client();
	}

	@Bean
	@ConditionalOnMissingBean
	MeteringAdmin meteringAdmin(UndeliveredUsage outbox) {
		return new MeteringAdmin(outbox);
	}

	/**
	 * Carries the billing subject and the {@code @MeteredUsage} scope (and every other
	 * value Micrometer's context propagation knows) onto the tasks of Boot's task
	 * executors.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ContextSnapshot.class)
	static class ContextPropagationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ContextPropagatingTaskDecorator meteringContextPropagatingTaskDecorator() {
			return new ContextPropagatingTaskDecorator();
		}

	}

}
