package dev.metering.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.mock.env.MockEnvironment;

import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.FixedUsageChatModel;
import dev.metering.MeterUsageSummary;
import dev.metering.MeteringAdvisor;
import dev.metering.PlanLimitCheck;
import dev.metering.PlanLimits;
import dev.metering.RecordUsageResult;
import dev.metering.UsageStatus;
import dev.metering.billing.Billing;
import dev.metering.provider.MeterCatalog;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.local.LocalMeterProvider;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.web.MeteringExceptionHandler;

import static org.assertj.core.api.Assertions.assertThat;

class MeteringAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with());

	@Test
	void defaultsGiveTheLocalMeterAndOneAiTokensMeter() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(BillingClient.class)
				.hasSingleBean(LocalMeterProvider.class)
				.hasSingleBean(InMemoryUsageOutbox.class)
				.hasSingleBean(MeteringAdvisor.class)
				.hasBean("meteredUsageAdvisor")
				.hasSingleBean(ContextPropagatingTaskDecorator.class);
			assertThat(context.getBean(BillingClient.class)).isSameAs(context.getBean(Billing.class).client());
			MeterCatalog meters = context.getBean(MeterCatalog.class);
			assertThat(meters.defaultMeter().key()).isEqualTo("ai-tokens");
			assertThat(meters.defaultMeter().eventName()).isEqualTo("ai_tokens");
			MeteringProperties properties = context.getBean(MeteringProperties.class);
			assertThat(properties.provider()).isEqualTo(MeteringProperties.Provider.LOCAL);
			assertThat(context.getBean(MeteringDeliveryProperties.class).flushInterval())
				.isEqualTo(Duration.ofSeconds(1));
		});
	}

	@Test
	void withoutAspectJMeteredUsageIsNotWovenAndTheRestWorks() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.aspectj"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("meteredUsageAdvisor")
				.hasSingleBean(MeteringAdvisor.class)
				.hasSingleBean(BillingClient.class));
	}

	@Test
	void problemDetailsAnswerTheMeteringExceptionsOfASpringMvcApplication() {
		new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.run((context) -> assertThat(context).hasSingleBean(MeteringExceptionHandler.class));
		new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withClassLoader(new FilteredClassLoader("org.springframework.web.servlet"))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(MeteringExceptionHandler.class));
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(MeteringExceptionHandler.class));
	}

	@Test
	void disabledRegistersNothing() {
		this.contextRunner.withPropertyValues("metering.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(BillingClient.class)
				.doesNotHaveBean(MeteringAdvisor.class)
				.doesNotHaveBean(ChatClientBuilderCustomizer.class);
		});
	}

	@Test
	void userBeansWin() {
		this.contextRunner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context).hasSingleBean(BillingClient.class);
			assertThat(context.getBean(BillingClient.class)).isSameAs(UserBeans.CLIENT);
		});
	}

	@Test
	void chatClientBuildersGetTheMeteringAdvisor() {
		this.contextRunner.withPropertyValues("metering.accounts.org_a.customer-id=cus_a").run((context) -> {
			ChatClient.Builder builder = ChatClient.builder(new FixedUsageChatModel(3, 4));
			context.getBean(ChatClientBuilderCustomizer.class).customize(builder);

			builder.build()
				.prompt("hi")
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_a"))
				.call()
				.content();

			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(billing.getUsage("ai-tokens", "cus_a")).singleElement()
				.extracting(MeterUsageSummary::aggregatedValue)
				.isEqualTo(7L);
		});
	}

	@Test
	void polarWithoutAccessTokenFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.provider=polar")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.polar.access-token must be set when metering.provider=polar"));
	}

	@Test
	void aMissingMeterProviderIsExplained() {
		// the core alone: no provider's auto-configuration contributes one
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MeteringAutoConfiguration.class))
			.withPropertyValues("metering.provider=polar", "metering.polar.access-token=polar_oat_x")
			.run((context) -> {
				assertThat(context).getFailure().rootCause().isInstanceOf(NoSuchBeanDefinitionException.class);
				FailureAnalysis analysis = new NoMeterProviderFailureAnalyzer(
						new MockEnvironment().withProperty("metering.provider", "polar"))
					.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("no MeterProvider for metering.provider=polar");
				assertThat(analysis.getAction()).contains("define a MeterProvider bean");
			});
	}

	@Test
	void unknownDefaultMeterFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.default-meter=nope")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.default-meter 'nope' is not a meter key"));
	}

	@Test
	void negativeLimitFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.plans.free.limits.aiTokens=-5")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.plans.free.limits.aiTokens must not be negative"));
	}

	@Test
	void blankEventNameFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.event-name= ")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.meters.ai-tokens.event-name must not be blank"));
	}

	@Test
	void accountOnUnknownPlanFailsNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("metering.plans.free.limits.aiTokens=10", "metering.accounts.org_a.customer-id=c1",
					"metering.accounts.org_a.plan=gold")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.accounts.org_a.plan 'gold' is not a plan"));
	}

	@Test
	void unknownDefaultPlanFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.plans.pro.limits.aiTokens=10")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.default-plan 'free' is not a plan"));
	}

	@Test
	void badDeliverySettingsFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.delivery.max-attempts=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.delivery.max-attempts must be at least 1"));
	}

	@Test
	void outOfRangeDurationsFailNamingTheProperty() {
		ApplicationContextRunner stripe = this.contextRunner.withPropertyValues("metering.provider=stripe",
				"metering.stripe.api-key=sk_test_x");
		stripe.withPropertyValues("metering.stripe.read-timeout=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.stripe.read-timeout must be positive, was PT-1S"));
		stripe.withPropertyValues("metering.stripe.connect-timeout=30d")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.stripe.connect-timeout must be at most"));
		stripe.withPropertyValues("metering.cache.usage-refresh=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.cache.usage-refresh must be positive, was PT0S"));
	}

	@Test
	void noneIsCachedForThirtySecondsByDefaultAndTheIntervalMustBePositive() {
		this.contextRunner.run((context) -> assertThat(context.getBean(MeteringCacheProperties.class).missingRefresh())
			.isEqualTo(Duration.ofSeconds(30)));
		this.contextRunner.withPropertyValues("metering.cache.missing-refresh=5s")
			.run((context) -> assertThat(context.getBean(MeteringCacheProperties.class).missingRefresh())
				.isEqualTo(Duration.ofSeconds(5)));
		ApplicationContextRunner stripe = this.contextRunner.withPropertyValues("metering.provider=stripe",
				"metering.stripe.api-key=sk_test_x");
		stripe.withPropertyValues("metering.cache.missing-refresh=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.cache.missing-refresh must be positive, was PT0S"));
		stripe.withPropertyValues("metering.cache.missing-refresh=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.cache.missing-refresh must be positive, was PT-1S"));
	}

	@Test
	void secretsStayOutOfToString() {
		this.contextRunner.withUserConfiguration(ProviderProperties.class)
			.withPropertyValues("metering.stripe.api-key=sk_test_supersecret123",
					"metering.polar.access-token=polar_secret_token")
			.run((context) -> {
				String text = context.getBean(StripeMeteringProperties.class).toString()
						+ context.getBean(PolarMeteringProperties.class).toString();
				assertThat(text).doesNotContain("sk_test_supersecret123")
					.doesNotContain("polar_secret_token")
					.contains("apiKey=******");
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ StripeMeteringProperties.class, PolarMeteringProperties.class })
	static class ProviderProperties {

	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		static final BillingClient CLIENT = new BillingClient() {

			@Override
			public RecordUsageResult recordUsage(String eventName, String customerId, long value) {
				return RecordUsageResult.rejected("user bean");
			}

			@Override
			public RecordUsageResult recordUsage(String eventName, String customerId, long value, Instant timestamp) {
				return RecordUsageResult.rejected("user bean");
			}

			@Override
			public List<MeterUsageSummary> getUsage(String meterId, String customerId) {
				return List.of();
			}

			@Override
			public List<MeterUsageSummary> getUsage(String meterId, String customerId, Instant start, Instant end) {
				return List.of();
			}

			@Override
			public Optional<String> getCustomerId(BillingSubject subject) {
				return Optional.empty();
			}

			@Override
			public PlanLimitCheck checkPlanLimit(String referenceId, String limitKey, long currentUsage) {
				return new PlanLimitCheck(true, null, Long.MAX_VALUE, false);
			}

			@Override
			public PlanLimits getPlanLimits(String referenceId) {
				return new PlanLimits("none", java.util.Map.of());
			}

			@Override
			public UsageStatus getUsageStatus(String referenceId, String limitKey) {
				return UsageStatus.of("none", limitKey, 0, null, Instant.EPOCH, Instant.EPOCH);
			}

			@Override
			public List<UsageStatus> getUsageStatuses(String referenceId) {
				return List.of();
			}

			@Override
			public boolean flush(Duration timeout) {
				return true;
			}
		};

		@Bean
		BillingClient userBillingClient() {
			return CLIENT;
		}

	}

}
