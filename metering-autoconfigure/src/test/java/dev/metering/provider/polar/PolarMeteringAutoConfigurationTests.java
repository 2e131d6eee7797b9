package dev.metering.provider.polar;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.web.client.RestClient;
import org.springframework.web.servlet.function.RouterFunction;

import dev.metering.autoconfigure.MeteringProperties;
import dev.metering.autoconfigure.PolarMeteringProperties;
import dev.metering.BillingClient;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.polar.PolarClient;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.WebhookContexts;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Polar provider's auto-configuration: its beans, the application's caches,
 * validation, start-up without spring-web, and its webhooks.
 */
class PolarMeteringAutoConfigurationTests {

	private static final String TOKEN = "polar_oat_AutoConfigurationSecret";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=polar", "metering.polar.access-token=" + TOKEN,
				// nothing listens here: a request would fail
				"metering.polar.base-url=http://localhost:9", "metering.polar.connect-timeout=200ms");

	@Test
	void userPolarClientWins() {
		PolarClient own = new PolarClient(RestClient.create("http://localhost:9"));
		this.contextRunner.withBean(PolarClient.class, () -> own)
			.run((context) -> assertThat(context.getBean(PolarClient.class)).isSameAs(own));
	}

	@Test
	void theTokenStaysOutOfTheClientsToString() {
		this.contextRunner.run((context) -> {
			assertThat(context.getBean(PolarClient.class).toString()).doesNotContain(TOKEN);
			assertThat(context.getBean(MeterProvider.class).toString()).doesNotContain(TOKEN);
		});
	}

	@Test
	void polarReadsUseTheApplicationsCachesWhenItHasThem() {
		this.contextRunner.withPropertyValues("metering.accounts.org_a.customer-id=org_a")
			.withBean(CacheManager.class, () -> new ConcurrentMapCacheManager(ProviderCaches.SUBSCRIPTIONS))
			.run((context) -> {
				context.getBean(CacheManager.class).getCache(ProviderCaches.SUBSCRIPTIONS).put("org_a", null);
				// answered from the application's cache: no request reaches the
				// unreachable Polar
				assertThat(context.getBean(BillingClient.class).getPlanLimits("org_a").plan()).isEqualTo("free");
			});
	}

	@Test
	void withoutSpringWebStartUpFailsNamingTheDependency() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RestClient.class))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.provider=polar needs Spring's RestClient on the class path")
				.hasMessageContaining("org.springframework:spring-web"));
	}

	@Test
	void badTimeoutsFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.polar.read-timeout=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.polar.read-timeout must be positive"));
	}

	@Test
	void aValueKeyPolarCannotStoreFailsNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.polar.value-key=" + "k".repeat(41))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.meters.ai-tokens.polar.value-key must be 1 to 40 characters"));
	}

	@Test
	void theValueKeyDefaultsToValue() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean(MeteringProperties.class).meters().get("ai-tokens").polar().valueKey())
			.isEqualTo("value"));
	}

	@Test
	void polarTimeoutsAreShownWithoutTheToken() {
		this.contextRunner.withPropertyValues("metering.polar.read-timeout=5s")
			.run((context) -> assertThat(context.getBean(PolarMeteringProperties.class).toString())
				.contains("readTimeout=" + Duration.ofSeconds(5))
				.doesNotContain(TOKEN));
	}

	@Test
	void polarStartsWithItsProvider() {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.provider=polar", "metering.polar.access-token=polar_oat_x")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(PolarMeterProvider.class)
					.hasSingleBean(PolarClient.class);
				assertThat(context.getBean(MeterProvider.class).name()).isEqualTo("polar");
			});
	}

	@Test
	void polarsWebhooksAreReceivedOnceASigningSecretIsSet() {
		WebhookContexts.runner()
			.withPropertyValues("metering.provider=polar",
					"metering.polar.webhook.secret[0]=" + WebhookContexts.POLAR_SECRET,
					"metering.polar.webhook.path=/hooks/polar")
			.run((context) -> {
				assertThat(context).hasSingleBean(PolarWebhooks.class)
					.hasBean("meteringWebhookRoute")
					.as("no other provider's webhooks")
					.hasSingleBean(ProviderWebhooks.class);
				assertThat(context.getBean("meteringWebhookRoute", RouterFunction.class).toString())
					.contains("/hooks/polar");
			});
	}

}
