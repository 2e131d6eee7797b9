package dev.metering.autoconfigure;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.tokenizer.JTokkitTokenCountEstimator;
import org.springframework.ai.tokenizer.TokenCountEstimator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.metering.BillingClient;
import dev.metering.BillingSubjectResolver;
import dev.metering.MeteringAdvisor;
import dev.metering.admin.MeteringAdmin;
import dev.metering.aop.MeteredUsageAspect;
import dev.metering.billing.BillingAccount;
import dev.metering.billing.BillingAccounts;
import dev.metering.billing.DefaultBillingClient;
import dev.metering.billing.MeterCatalog;
import dev.metering.provider.MeterDefinition;
import dev.metering.billing.UsageMetering;
import dev.metering.billing.UsageRecorder;
import dev.metering.context.MeteringTaskDecorator;
import dev.metering.delivery.DeliveryMetrics;
import dev.metering.delivery.DeliverySettings;
import dev.metering.delivery.MicrometerDeliveryMetrics;
import dev.metering.provider.MeterProvider;
import dev.metering.delivery.RetryBackoff;
import dev.metering.delivery.UsageDispatcher;
import dev.metering.limits.BillingPeriods;
import dev.metering.limits.CalendarMonthPeriods;
import dev.metering.limits.InMemoryUsageLedger;
import dev.metering.limits.PlanCatalog;
import dev.metering.limits.PlanDefinition;
import dev.metering.limits.SubscriptionPeriods;
import dev.metering.limits.UsageLedger;
import dev.metering.provider.local.LocalMeterProvider;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.outbox.UsageOutbox;
import dev.metering.web.MeteringExceptionHandler;

/**
 * Auto-configuration of Spring AI Metering: every auto-configured {@code ChatClient.Builder}
 * gets the metering advisor, {@code @MeteredUsage} methods are metered, and a
 * {@link BillingClient} is available. Every bean backs off when the application defines its
 * own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(MeteringProperties.class)
@Import(StripeMeteringConfiguration.class)
public final class MeteringAutoConfiguration {

	private static final Log logger = LogFactory.getLog(MeteringAutoConfiguration.class);

	private final MeteringProperties properties;

	MeteringAutoConfiguration(MeteringProperties properties) {
		this.properties = properties;
	}

	@Bean
	@ConditionalOnMissingBean
	MeterProvider meteringProvider() {
		return switch (this.properties.provider()) {
			case LOCAL -> new LocalMeterProvider();
			case STRIPE -> throw new IllegalStateException(
					"metering.provider=stripe needs com.stripe:stripe-java on the class path");
			case POLAR -> throw new IllegalStateException("metering.provider=polar is not available in this "
					+ "version; use metering.provider=local or stripe, or define a MeterProvider bean");
		};
	}

	@Bean
	@ConditionalOnMissingBean({ UsageOutbox.class, DeliveryQueue.class, UndeliveredUsage.class })
	InMemoryUsageOutbox meteringOutbox() {
		if (this.properties.outbox().store() == MeteringProperties.OutboxStore.JDBC) {
			throw new IllegalStateException("metering.outbox.store=jdbc needs a DataSource and spring-jdbc");
		}
		logger.warn("Usage waits for delivery in memory: a crash loses usage not yet delivered. "
				+ "Give the application a DataSource (H2 or PostgreSQL) for a durable outbox.");
		return new InMemoryUsageOutbox(Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	UsageLedger meteringUsageLedger() {
		return new InMemoryUsageLedger();
	}

	@Bean
	@ConditionalOnMissingBean
	BillingPeriods meteringBillingPeriods(MeterProvider provider) {
		return new SubscriptionPeriods(provider, new CalendarMonthPeriods(Clock.systemUTC()));
	}

	@Bean
	@ConditionalOnMissingBean
	MeterCatalog meteringMeterCatalog() {
		List<MeterDefinition> meters = this.properties.meters()
			.entrySet()
			.stream()
			.map((entry) -> new MeterDefinition(entry.getKey(), entry.getValue().eventName(),
					entry.getValue().meterId(), entry.getValue().tokens(), entry.getValue().limitKey(),
					entry.getValue().aggregation()))
			.toList();
		return new MeterCatalog(meters, this.properties.defaultMeter());
	}

	@Bean
	@ConditionalOnMissingBean
	PlanCatalog meteringPlanCatalog() {
		Map<String, PlanDefinition> plans = new LinkedHashMap<>();
		this.properties.plans()
			.forEach((name, plan) -> plans.put(name, new PlanDefinition(plan.priceIds(), plan.limits())));
		return new PlanCatalog(plans, this.properties.defaultPlan());
	}

	@Bean
	@ConditionalOnMissingBean
	BillingAccounts meteringBillingAccounts(MeterProvider provider, PlanCatalog plans) {
		Map<String, BillingAccount> accounts = new LinkedHashMap<>();
		this.properties.accounts()
			.forEach((id, account) -> accounts.put(id, new BillingAccount(id, account.customerId(), account.plan())));
		return new BillingAccounts(accounts, provider, plans);
	}

	@Bean
	@ConditionalOnMissingBean
	UsageRecorder meteringUsageRecorder(MeterCatalog meters, BillingAccounts accounts, MeterProvider provider,
			UsageOutbox outbox) {
		return new UsageRecorder(meters, accounts, provider, outbox, !this.properties.allowUnknownEvents(),
				Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	UsageDispatcher meteringUsageDispatcher(DeliveryQueue queue, MeterProvider provider, MeterCatalog meters,
			ObjectProvider<MeterRegistry> registry) {
		MeteringProperties.Delivery delivery = this.properties.delivery();
		DeliverySettings settings = new DeliverySettings(
				new RetryBackoff(delivery.initialBackoff(), delivery.maxBackoff(), delivery.maxAttempts()),
				delivery.flushInterval(), delivery.shutdownTimeout(), delivery.concurrency(),
				delivery.coalesce() ? meters.summedEventNames() : Set.of(), this.properties.outbox().retention());
		MeterRegistry meterRegistry = registry.getIfUnique();
		DeliveryMetrics metrics = (meterRegistry != null)
				? new MicrometerDeliveryMetrics(meterRegistry, provider.name()) : DeliveryMetrics.NONE;
		return new UsageDispatcher(queue, provider, settings, Clock.systemUTC(), metrics);
	}

	@Bean
	@ConditionalOnMissingBean
	UsageMetering meteringUsageMetering(MeterCatalog meters, BillingAccounts accounts, PlanCatalog plans,
			BillingPeriods periods, UsageLedger ledger, UsageRecorder recorder,
			ObjectProvider<BillingSubjectResolver> resolvers, ObjectProvider<MeterRegistry> registry) {
		return new UsageMetering(meters, accounts, plans, periods, ledger, recorder, this.properties.enforcement(),
				this.properties.onMissingCustomer(), resolvers.orderedStream().toList(),
				registry.getIfUnique(SimpleMeterRegistry::new));
	}

	@Bean
	@ConditionalOnMissingBean
	BillingClient billingClient(UsageRecorder recorder, MeterCatalog meters, BillingAccounts accounts,
			PlanCatalog plans, BillingPeriods periods, MeterProvider provider, UsageDispatcher dispatcher) {
		return new DefaultBillingClient(recorder, meters, accounts, plans, periods, provider, dispatcher);
	}

	@Bean
	@ConditionalOnMissingBean
	MeteringAdmin meteringAdmin(UndeliveredUsage outbox) {
		return new MeteringAdmin(outbox);
	}

	@Bean
	@ConditionalOnMissingBean
	MeteringTaskDecorator meteringTaskDecorator() {
		return new MeteringTaskDecorator();
	}

	@Configuration(proxyBeanMethods = false)
	static class ChatClientMeteringConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MeteringAdvisor meteringAdvisor(UsageMetering metering,
				ObjectProvider<TokenCountEstimator> tokenCountEstimator) {
			return new MeteringAdvisor(metering, tokenCountEstimator.getIfUnique(JTokkitTokenCountEstimator::new));
		}

		@Bean
		ChatClientBuilderCustomizer meteringChatClientBuilderCustomizer(MeteringAdvisor advisor) {
			return (builder) -> builder.defaultAdvisors(advisor.callOriginAdvisor(), advisor);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.aspectj.weaver.Advice")
	static class MeteredUsageConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MeteredUsageAspect meteredUsageAspect(UsageMetering metering) {
			return new MeteredUsageAspect(metering);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(name = "org.springframework.web.servlet.DispatcherServlet")
	static class WebConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MeteringExceptionHandler meteringExceptionHandler() {
			return new MeteringExceptionHandler();
		}

	}

}
