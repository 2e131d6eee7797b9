package dev.metering.autoconfigure;

import java.time.Clock;
import java.util.Set;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.metering.BillingClient;
import dev.metering.actuate.MeteringEndpoint;
import dev.metering.actuate.MeteringHealthIndicator;
import dev.metering.admin.MeteringAdmin;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderAccess;
import dev.metering.reconcile.UsageReconciler;

/**
 * Auto-configuration of metering's part in Spring Boot Actuator: its secrets are masked
 * in Actuator's output whatever the application's {@code show-values} setting; the
 * {@code metering} health indicator judges delivery
 * ({@code management.health.metering.enabled}); and the {@code metering} endpoint, once
 * the application exposes it, lists what waits, re-drives dead letters and reconciles.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { MeteringAutoConfiguration.class, JdbcOutboxAutoConfiguration.class,
		MeteringReconciliationAutoConfiguration.class })
@ConditionalOnClass(SanitizingFunction.class)
public final class MeteringActuatorAutoConfiguration {

	@Bean
	SanitizingFunction meteringSecretsSanitizingFunction() {
		return new MeteringSecretsSanitizingFunction();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
	@ConditionalOnBean({ UndeliveredUsage.class, MeterProvider.class, ProviderAccess.class })
	@ConditionalOnEnabledHealthIndicator("metering")
	@EnableConfigurationProperties(MeteringHealthProperties.class)
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "meteringHealthIndicator")
		MeteringHealthIndicator meteringHealthIndicator(UndeliveredUsage outbox, MeterProvider provider,
				ProviderAccess access, MeteringHealthProperties health, ObjectProvider<Clock> clock) {
			return new MeteringHealthIndicator(outbox, provider.name(), access,
					PropertyChecks.positive("metering.health.max-delivery-lag", health.maxDeliveryLag()),
					clock.getIfUnique(Clock::systemUTC));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
	@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
	@ConditionalOnBean({ MeteringAdmin.class, MeterProvider.class, BillingClient.class })
	@ConditionalOnAvailableEndpoint(MeteringEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MeteringEndpoint meteringEndpoint(MeteringAdmin admin, MeterProvider provider,
				ObjectProvider<UsageReconciler> reconciler, BillingClient billing,
				ObjectProvider<BalanceSettings> balances, ObjectProvider<Clock> clock) {
			BalanceSettings balanceSettings = balances.getIfUnique();
			return new MeteringEndpoint(admin, provider.name(), reconciler.getIfAvailable(), billing,
					(balanceSettings != null) ? balanceSettings.prepaidMeters() : Set.of(),
					clock.getIfUnique(Clock::systemUTC));
		}

	}

}
