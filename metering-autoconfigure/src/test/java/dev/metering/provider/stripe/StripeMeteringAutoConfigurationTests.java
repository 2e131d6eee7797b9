package dev.metering.provider.stripe;

import java.time.Duration;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.stripe.StripeClient;
import com.stripe.net.HttpURLConnectionClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;

import dev.metering.autoconfigure.MeteringAutoConfiguration;
import dev.metering.autoconfigure.StripeMeteringAutoConfiguration;
import dev.metering.autoconfigure.StripeMeteringProperties;
import dev.metering.autoconfigure.StripeSdkMissingAutoConfiguration;
import dev.metering.BillingClient;
import dev.metering.MeteringUnavailableException;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.provider.stripe.StripeClientBuilderCustomizer;
import dev.metering.provider.stripe.StripeMeterProvider;
import dev.metering.provider.stripe.StripeProviderException;
import dev.metering.support.StubServer;
import dev.metering.support.WebhookContexts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Stripe provider's auto-configuration: its beans, the application's customizers and
 * caches, start-up without stripe-java, and its webhooks.
 */
class StripeMeteringAutoConfigurationTests {

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MeteringAutoConfiguration.class, StripeMeteringAutoConfiguration.class,
				StripeSdkMissingAutoConfiguration.class));

	@Test
	void stripeProviderComesWithItsClient() {
		this.contextRunner.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_123")
			.run((context) -> {
				assertThat(context).hasSingleBean(StripeMeterProvider.class).hasSingleBean(StripeClient.class);
				assertThat(context.getBean(MeterProvider.class).name()).isEqualTo("stripe");
			});
	}

	@Test
	void userStripeClientWins() {
		StripeClient own = new StripeClient("sk_test_own");
		this.contextRunner.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_123")
			.withBean(StripeClient.class, () -> own)
			.run((context) -> assertThat(context.getBean(StripeClient.class)).isSameAs(own));
	}

	@Test
	void stripeReadsUseTheApplicationsCachesWhenItHasThem() {
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_123",
					"metering.accounts.org_a.customer-id=cus_a")
			.withBean(CacheManager.class, () -> new ConcurrentMapCacheManager(ProviderCaches.SUBSCRIPTIONS))
			.run((context) -> {
				CacheManager caches = context.getBean(CacheManager.class);
				caches.getCache(ProviderCaches.SUBSCRIPTIONS).put("cus_a", null);
				// answered from the application's cache: no request reaches the
				// unreachable Stripe
				assertThat(context.getBean(BillingClient.class).getPlanLimits("org_a").plan()).isEqualTo("free");
			});
	}

	@Test
	void stripeWithoutApiKeyFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.provider=stripe")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.stripe.api-key must be set when metering.provider=stripe"));
	}

	@Test
	void customizersTuneTheClientWhileTheSdkRetriesStayOff() {
		stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions")).willReturn(aResponse().withStatus(500)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"An unknown error occurred\"}}")));
		StripeClientBuilderCustomizer customizer = (builder) -> builder.setApiBase(stripe.baseUrl())
			.setMaxNetworkRetries(3)
			.setHttpClient(new HttpURLConnectionClient());
		this.contextRunner.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_123",
				// unreachable: only the customizer's API base gets an answer
				"metering.stripe.api-base=http://localhost:9", "metering.accounts.org_a.customer-id=cus_a",
				"metering.limits.on-lookup-failure=reject")
			.withBean(StripeClientBuilderCustomizer.class, () -> customizer)
			.run((context) -> {
				assertThatExceptionOfType(MeteringUnavailableException.class)
					.isThrownBy(() -> context.getBean(BillingClient.class).getPlanLimits("org_a"))
					.havingCause()
					.isInstanceOf(StripeProviderException.class)
					.withMessageContaining("500");
				assertThat(stripe.findAll(getRequestedFor(urlPathEqualTo("/v1/subscriptions"))))
					.as("answered once: the dispatcher retries, not the SDK")
					.hasSize(1);
			});
	}

	@Test
	void customizersCannotReplaceTheHttpClientThatReadsStripesRetryAdvice() {
		stripe.stubFor(post(urlEqualTo("/v1/billing/meter_events")).inScenario("advice")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(400)
				.withHeader("Content-Type", "application/json")
				.withHeader("Stripe-Should-Retry", "true")
				.withBody("{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"lock_timeout\","
						+ "\"message\":\"Try again\"}}"))
			.willSetStateTo("answered"));
		stripe.stubFor(post(urlEqualTo("/v1/billing/meter_events")).inScenario("advice")
			.whenScenarioStateIs("answered")
			.willReturn(aResponse().withStatus(200)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"object\":\"billing.meter_event\",\"event_name\":\"ai_tokens\"}")));
		StripeClientBuilderCustomizer customizer = (builder) -> builder.setHttpClient(new HttpURLConnectionClient());
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_123",
					"metering.stripe.api-base=" + stripe.baseUrl(), "metering.delivery.flush-interval=20ms",
					"metering.delivery.initial-backoff=20ms", "metering.delivery.max-backoff=50ms")
			.withBean(StripeClientBuilderCustomizer.class, () -> customizer)
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				billing.recordUsage("ai_tokens", "cus_a", 5);

				assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
				assertThat(context.getBean(UndeliveredUsage.class).deadLetters()).as("Stripe said to retry").isEmpty();
				assertThat(stripe.findAll(postRequestedFor(urlEqualTo("/v1/billing/meter_events")))).hasSize(2);
			});
	}

	@Test
	void withoutStripeJavaStartUpFailsNamingTheDependency() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(StripeClient.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_123")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.provider=stripe needs com.stripe:stripe-java on the class path: add that "
						+ "dependency (the metering starter brings it), or choose another metering.provider"));
	}

	@Test
	void badCacheSettingsFailNamingTheProperty() {
		ApplicationContextRunner stripe = this.contextRunner.withPropertyValues("metering.provider=stripe",
				"metering.stripe.api-key=sk_test_123");
		stripe.withPropertyValues("metering.cache.usage-refresh=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.cache.usage-refresh must be positive, was PT0S"));
		stripe.withPropertyValues("metering.cache.maximum-size=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.cache.maximum-size must be at least 1, was 0"));
	}

	@Test
	void stripesWebhooksAreReceivedOnceASigningSecretIsSet() {
		WebhookContexts.runner()
			.withPropertyValues("metering.provider=stripe",
					"metering.stripe.webhook.secret=" + WebhookContexts.STRIPE_SECRET)
			.run((context) -> {
				assertThat(context).hasSingleBean(StripeWebhooks.class)
					.hasBean("meteringWebhookRoute")
					.as("no other provider's webhooks")
					.hasSingleBean(ProviderWebhooks.class);
				assertThat(context.getBean(StripeMeteringProperties.class).webhook().path())
					.isEqualTo("/metering/stripe/webhook");
			});
	}

}
