package dev.metering.provider.metronome;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.client.RestClient;
import org.springframework.web.servlet.function.RouterFunction;

import dev.metering.autoconfigure.MeteringProperties;
import dev.metering.autoconfigure.MetronomeMeteringProperties;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.metronome.MetronomeClient;
import dev.metering.provider.metronome.MetronomeMeterProvider;
import dev.metering.provider.metronome.MetronomeWebhooks;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Metronome provider's auto-configuration: its beans, its webhooks, validation and
 * start-up without spring-web.
 */
class MetronomeMeteringAutoConfigurationTests {

	private static final String TOKEN = "mtr-api-AutoConfigurationSecret";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=" + TOKEN,
				// nothing listens here: a request would fail
				"metering.metronome.base-url=http://localhost:9", "metering.metronome.connect-timeout=200ms");

	@Test
	void metronomeStartsWithItsProviderAndPlans() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(MetronomeMeterProvider.class)
				.hasSingleBean(MetronomeClient.class)
				.doesNotHaveBean(MetronomeWebhooks.class);
			assertThat(context.getBean(MeterProvider.class).name()).isEqualTo("metronome");
			assertThat(context.getBean(MeterProvider.class).batchSize()).isEqualTo(100);
		});
	}

	@Test
	void withoutApiTokenStartUpFailsNamingTheProperty() {
		new ApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.metronome.api-token must be set when metering.provider=metronome"));
	}

	@Test
	void userMetronomeClientWins() {
		MetronomeClient own = new MetronomeClient(RestClient.create("http://localhost:9"), "own-token");
		this.contextRunner.withBean(MetronomeClient.class, () -> own)
			.run((context) -> assertThat(context.getBean(MetronomeClient.class)).isSameAs(own));
	}

	@Test
	void theTokenStaysOutOfToStrings() {
		this.contextRunner.run((context) -> {
			assertThat(context.getBean(MetronomeClient.class).toString()).doesNotContain(TOKEN);
			assertThat(context.getBean(MeterProvider.class).toString()).doesNotContain(TOKEN);
			assertThat(context.getBean(MetronomeMeteringProperties.class).toString()).contains("apiToken=******")
				.doesNotContain(TOKEN);
		});
	}

	@Test
	void withoutSpringWebStartUpFailsNamingTheDependency() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RestClient.class))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.provider=metronome needs Spring's RestClient on the class path")
				.hasMessageContaining("org.springframework:spring-web"));
	}

	@Test
	void badSettingsFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.metronome.read-timeout=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.metronome.read-timeout must be positive"));
		this.contextRunner
			.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.metronome.value-key= ")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.meters.ai-tokens.metronome.value-key must not be blank"));
		new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=" + TOKEN,
					"metering.metronome.webhook.secret=metronome-secret", "metering.metronome.webhook.path=hooks")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("metering.metronome.webhook.path must start with '/', was 'hooks'"));
	}

	@Test
	void theTimeoutsAndValueKeyHaveDefaults() {
		this.contextRunner.withPropertyValues("metering.metronome.read-timeout=5s").run((context) -> {
			MeteringProperties properties = context.getBean(MeteringProperties.class);
			MetronomeMeteringProperties metronome = context.getBean(MetronomeMeteringProperties.class);
			assertThat(metronome.readTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(metronome.baseUrl()).isEqualTo("http://localhost:9");
			assertThat(properties.meters().get("ai-tokens").metronome().valueKey()).isEqualTo("value");
		});
	}

	@Test
	void metronomesWebhooksAreReceivedOnceASigningSecretIsSet() {
		new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=" + TOKEN,
					"metering.metronome.webhook.secret=metronome-secret", "metering.metronome.webhook.path=/hooks/mtr")
			.run((context) -> {
				assertThat(context).hasSingleBean(MetronomeWebhooks.class).hasBean("meteringWebhookRoute");
				assertThat(context.getBean("meteringWebhookRoute", RouterFunction.class).toString())
					.contains("/hooks/mtr");
				assertThat(context.getBean(MetronomeMeteringProperties.class).toString())
					.doesNotContain("metronome-secret", TOKEN);
			});
	}

}
