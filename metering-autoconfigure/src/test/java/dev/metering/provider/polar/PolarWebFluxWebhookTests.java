package dev.metering.provider.polar;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.config.EnableWebFlux;

import dev.metering.BillingClient;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static dev.metering.provider.polar.PolarWebhookTests.ACME;
import static dev.metering.provider.polar.PolarWebhookTests.NOW;
import static dev.metering.provider.polar.PolarWebhookTests.PATH;
import static dev.metering.provider.polar.PolarWebhookTests.PRO_PRODUCT;
import static dev.metering.provider.polar.PolarWebhookTests.SECRET;
import static dev.metering.provider.polar.PolarWebhookTests.subscriptionEvent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Polar's webhooks posted to a WebFlux application: received as in Spring MVC, with the
 * same answers.
 */
class PolarWebFluxWebhookTests {

	@RegisterExtension
	static final StubServer polar = new StubServer();

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withUserConfiguration(WebFluxConfiguration.class)
		.withPropertyValues("metering.provider=polar", "metering.polar.access-token=" + PolarWebhookTests.TOKEN,
				"metering.polar.base-url=" + polar.baseUrl(), "metering.polar.webhook.secret=" + SECRET,
				"metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.meter-id=0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
				"metering.plans.pro.polar-product-ids=" + PRO_PRODUCT, "metering.plans.pro.limits.aiTokens=100000",
				"metering.accounts.org_acme.customer-id=org_acme", "metering.delivery.flush-interval=1h");

	@Test
	void aSubscriptionEventEvictsTheCustomersCachedPlan() {
		acmeSubscribed(false);
		this.contextRunner.run((context) -> {
			assertThat(plan(context)).isEqualTo("free");
			acmeSubscribed(true);
			assertThat(plan(context)).as("cached").isEqualTo("free");

			deliver(context, "msg_flux", subscriptionEvent("subscription.updated"), SECRET).expectStatus().isOk();

			assertThat(plan(context)).isEqualTo("pro");
		});
	}

	@Test
	void aForgedDeliveryAnswers400WithAProblemDetailAndChangesNothing() {
		acmeSubscribed(false);
		this.contextRunner.run((context) -> {
			assertThat(plan(context)).isEqualTo("free");
			acmeSubscribed(true);

			deliver(context, "msg_forged", subscriptionEvent("subscription.updated"),
					"whsec_" + "Zm9yZ2VkIGtleSBvZiBhbiBhdHRhY2tlcg==")
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.title")
				.isEqualTo("Invalid webhook signature");

			assertThat(plan(context)).as("still cached").isEqualTo("free");
		});
	}

	private static void acmeSubscribed(boolean subscribed) {
		polar.stubFor(
				PolarStub.stateByExternalId("org_acme")
					.willReturn(subscribed
							? PolarStub.stateWithSubscription(ACME, PRO_PRODUCT, NOW.toString(),
									NOW.plus(Duration.ofDays(30)).toString())
							: PolarStub.stateWithoutSubscription(ACME)));
	}

	private static String plan(ApplicationContext context) {
		return context.getBean(BillingClient.class).getUsageStatus("org_acme", "aiTokens").plan();
	}

	private static WebTestClient.ResponseSpec deliver(ApplicationContext context, String id, String payload,
			String secret) {
		byte[] body = payload.getBytes(StandardCharsets.UTF_8);
		return WebTestClient.bindToApplicationContext(context)
			.configureClient()
			.responseTimeout(Duration.ofSeconds(10))
			.build()
			.post()
			.uri(PATH)
			.contentType(MediaType.APPLICATION_JSON)
			.header("webhook-id", id)
			.header("webhook-timestamp", Long.toString(NOW.getEpochSecond()))
			.header("webhook-signature", PolarWebhookSigner.sign(secret, id, NOW.getEpochSecond(), body))
			.bodyValue(body)
			.exchange();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebFlux
	static class WebFluxConfiguration {

	}

}
