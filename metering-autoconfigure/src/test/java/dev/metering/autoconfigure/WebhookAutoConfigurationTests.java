package dev.metering.autoconfigure;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.function.RouterFunction;

import dev.metering.provider.polar.PolarWebhooks;
import dev.metering.provider.stripe.StripeWebhooks;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.webhook.CacheChanges;
import dev.metering.webhook.InMemoryWebhookReceipts;
import dev.metering.webhook.JdbcCacheChanges;
import dev.metering.webhook.JdbcWebhookReceipts;
import dev.metering.webhook.LocalCacheChanges;
import dev.metering.webhook.WebhookReceipts;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the providers' webhooks are received: a signing secret set, the provider chosen, a
 * Spring MVC application; and how their properties are checked at start-up.
 */
class WebhookAutoConfigurationTests {

	private static final String STRIPE_SECRET = "whsec_StripeSigningSecretForTheTests";

	private static final String POLAR_SECRET = "polar_whs_PolarSigningSecretForTheTests";

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.stripe.api-key=sk_test_webhooks", "metering.polar.access-token=polar_oat_hooks");

	@Test
	void stripesWebhooksAreReceivedOnceASigningSecretIsSet() {
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> {
				assertThat(context).hasSingleBean(StripeWebhooks.class)
					.hasBean("meteringWebhookRoute")
					.doesNotHaveBean(PolarWebhooks.class);
				assertThat(context.getBean(WebhookReceipts.class)).as("no DataSource")
					.isInstanceOf(InMemoryWebhookReceipts.class);
				assertThat(context.getBean(StripeMeteringProperties.class).webhook().path())
					.isEqualTo("/metering/stripe/webhook");
			});
	}

	@Test
	void polarsWebhooksAreReceivedOnceASigningSecretIsSet() {
		this.contextRunner
			.withPropertyValues("metering.provider=polar", "metering.polar.webhook.secret[0]=" + POLAR_SECRET,
					"metering.polar.webhook.path=/hooks/polar")
			.run((context) -> {
				assertThat(context).hasSingleBean(PolarWebhooks.class)
					.hasBean("meteringWebhookRoute")
					.doesNotHaveBean(StripeWebhooks.class);
				assertThat(context.getBean("meteringWebhookRoute", RouterFunction.class).toString())
					.contains("/hooks/polar");
			});
	}

	@Test
	void withoutASecretOrWithABlankOneNoWebhookIsReceived() {
		this.contextRunner.withPropertyValues("metering.provider=stripe")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(StripeWebhooks.class)
				.doesNotHaveBean(RouterFunction.class));
		this.contextRunner.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret= ")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StripeWebhooks.class));
	}

	@Test
	void aSecretOfTheOtherProviderTurnsNothingOn() {
		this.contextRunner
			.withPropertyValues("metering.provider=polar", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(StripeWebhooks.class)
				.doesNotHaveBean(PolarWebhooks.class));
	}

	@Test
	void withoutSpringMvcNoWebhookIsReceived() {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_webhooks",
					"metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StripeWebhooks.class));
		this.contextRunner.withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StripeWebhooks.class));
	}

	@Test
	void withTheOutboxInTheDatabaseHandledEventsAreRememberedThere() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"spring.datasource.url=jdbc:h2:mem:webhook-receipts-" + UUID.randomUUID())
			.run((context) -> {
				WebhookReceipts receipts = context.getBean(WebhookReceipts.class);
				assertThat(receipts).isInstanceOf(JdbcWebhookReceipts.class);
				assertThat(receipts.claim("stripe", "evt_1")).isTrue();
				assertThat(receipts.claim("stripe", "evt_1")).isFalse();
				assertThat(receipts.claim("polar", "evt_1")).as("another provider's ID").isTrue();
				receipts.release("stripe", "evt_1");
				assertThat(receipts.claim("stripe", "evt_1")).as("released after a failure").isTrue();
			});
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"spring.datasource.url=jdbc:h2:mem:webhook-memory-" + UUID.randomUUID(),
					"metering.outbox.store=memory")
			.run((context) -> assertThat(context.getBean(WebhookReceipts.class))
				.isInstanceOf(InMemoryWebhookReceipts.class));
	}

	@Test
	void withTheOutboxInTheDatabaseCacheChangesReachEveryInstanceThroughItElseStayLocal() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=polar", "metering.polar.webhook.secret=" + POLAR_SECRET,
					"spring.datasource.url=jdbc:h2:mem:cache-changes-" + UUID.randomUUID())
			.run((context) -> assertThat(context.getBean(CacheChanges.class)).isInstanceOf(JdbcCacheChanges.class)
				.satisfies((changes) -> assertThat(((JdbcCacheChanges) changes).isRunning()).isTrue()));
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET,
					"spring.datasource.url=jdbc:h2:mem:cache-changes-" + UUID.randomUUID(),
					"metering.outbox.store=memory")
			.run((context) -> assertThat(context.getBean(CacheChanges.class)).isInstanceOf(LocalCacheChanges.class));
		this.contextRunner
			.withPropertyValues("metering.provider=stripe", "metering.stripe.webhook.secret=" + STRIPE_SECRET)
			.run((context) -> assertThat(context.getBean(CacheChanges.class)).as("no DataSource")
				.isInstanceOf(LocalCacheChanges.class));
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
