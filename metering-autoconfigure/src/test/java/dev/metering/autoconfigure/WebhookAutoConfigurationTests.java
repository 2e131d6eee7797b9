package dev.metering.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.function.RouterFunction;

import dev.metering.provider.InvalidWebhookException;
import dev.metering.provider.ProviderWebhooks;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.WebhookContexts;

import static dev.metering.support.WebhookContexts.POLAR_SECRET;
import static dev.metering.support.WebhookContexts.STRIPE_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the providers' webhooks are received: a signing secret set, the provider chosen, a
 * Spring MVC application; and how their properties are checked at start-up.
 */
class WebhookAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = WebhookContexts.runner();

	@Test
	void withoutASecretOrWithABlankOneNoWebhookIsReceived() {
		this.contextRunner.withPropertyValues("metering.provider=stripe")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ProviderWebhooks.class)
				.doesNotHaveBean(RouterFunction.class));
		this.contextRunner.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret= ")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ProviderWebhooks.class));
	}

	@Test
	void aSecretOfTheOtherProviderTurnsNothingOn() {
		this.contextRunner
			.withPropertyValues("metering.provider=polar", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ProviderWebhooks.class));
	}

	@Test
	void withoutSpringMvcNoWebhookIsReceived() {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_webhooks",
					"metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ProviderWebhooks.class));
		this.contextRunner.withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ProviderWebhooks.class));
	}

	@Test
	void anApplicationsOwnProviderWebhooksLeaveTheProvidersInPlace() {
		ProviderWebhooks own = (headers, body) -> {
			throw new InvalidWebhookException("not the provider's");
		};
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.withBean("ownWebhooks", ProviderWebhooks.class, () -> own)
			.run((context) -> assertThat(context).hasNotFailed()
				.hasBean("meteringWebhookRoute")
				.getBeans(ProviderWebhooks.class)
				.containsOnlyKeys("ownWebhooks", "meteringStripeWebhooks"));
	}

	@Test
	void aStripeSecretThatIsNoSigningSecretFailsStartUpWithoutQuotingIt() {
		this.contextRunner
			.withPropertyValues("metering.provider=stripe",
					"metering.stripe.webhook.secret=" + STRIPE_SECRET + ",sk_test_PastedInTheWrongPlace")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("metering.stripe.webhook.secret must hold Stripe signing secrets, which start with whsec_; "
						+ "one of them does not")
				.hasMessageNotContaining("PastedInTheWrongPlace"));
	}

	@Test
	void aPathWithoutItsSlashOrATolerancePastZeroFailsStartUpNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("metering.provider=polar", "metering.polar.webhook.secret=" + POLAR_SECRET,
					"metering.polar.webhook.path=hooks/polar")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.polar.webhook.path must start with '/', was 'hooks/polar'"));
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"metering.stripe.webhook.tolerance=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.stripe.webhook.tolerance must be positive, was PT0S"));
	}

	@Test
	void theSecretsNeverShowInThePropertiesToString() {
		this.contextRunner.withUserConfiguration(ProviderProperties.class)
			.withPropertyValues("metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"metering.polar.webhook.secret=" + POLAR_SECRET, "metering.stripe.webhook.tolerance=10m")
			.run((context) -> {
				StripeMeteringProperties stripe = context.getBean(StripeMeteringProperties.class);
				assertThat(stripe.webhook().tolerance()).isEqualTo(Duration.ofMinutes(10));
				assertThat(stripe.toString() + context.getBean(PolarMeteringProperties.class))
					.contains("webhook=Webhook[secret=******")
					.doesNotContain(STRIPE_SECRET, POLAR_SECRET);
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ StripeMeteringProperties.class, PolarMeteringProperties.class })
	static class ProviderProperties {

	}

}
