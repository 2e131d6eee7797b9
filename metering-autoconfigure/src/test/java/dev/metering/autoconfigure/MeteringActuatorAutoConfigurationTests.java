package dev.metering.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.actuate.MeteringEndpoint;
import dev.metering.actuate.MeteringHealthIndicator;
import dev.metering.reconcile.UsageReconciler;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Metering's part in Actuator: its secrets stay out of Actuator's output even when the
 * application shows values; the health indicator is there with Actuator and can be turned
 * off; the endpoint is there only once the application exposes it; and without Actuator,
 * none of it.
 */
class MeteringActuatorAutoConfigurationTests {

	private static final String STRIPE_KEY = "sk_test_51SuperSecretKey";

	private static final String POLAR_TOKEN = "polar_oat_SuperSecretToken";

	private static final String STRIPE_WEBHOOK_SECRET = "whsec_SuperSecretSigningSecret";

	/**
	 * A secret not shaped like any known one: only the property's name tells that it is
	 * one.
	 */
	private static final String POLAR_WEBHOOK_SECRET = "SuperSecretPolarEndpointSecret";

	/**
	 * Metronome's secrets have no shape of their own: only their properties tell them.
	 */
	private static final String METRONOME_TOKEN = "SuperSecretMetronomeApiToken";

	private static final String METRONOME_WEBHOOK_SECRET = "SuperSecretMetronomeWebhookSecret";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.stripe.api-key=" + STRIPE_KEY, "metering.polar.access-token=" + POLAR_TOKEN,
				"STRIPE_SECRET_KEY=" + STRIPE_KEY, "metering.default-plan=free",
				"metering.stripe.webhook.secret[0]=" + STRIPE_WEBHOOK_SECRET,
				"metering.polar.webhook.secret[0]=" + POLAR_WEBHOOK_SECRET,
				"metering.metronome.api-token=" + METRONOME_TOKEN,
				"METERING_METRONOME_WEBHOOK_SECRET=" + METRONOME_WEBHOOK_SECRET);

	private final ApplicationContextRunner actuatorRunner = new ApplicationContextRunner().withConfiguration(
			MeteringAutoConfigurations.with(EndpointAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class));

	@Test
	void configurationPropertiesReportMasksTheSecretsWhenShowingValues() {
		this.contextRunner.withPropertyValues("metering.provider=stripe").run((context) -> {
			ConfigurationPropertiesReportEndpoint endpoint = new ConfigurationPropertiesReportEndpoint(
					sanitizingFunctions(context), Show.ALWAYS);
			endpoint.setApplicationContext(context);

			List<String> values = new ArrayList<>();
			endpoint.configurationPropertiesWithPrefix("metering")
				.getContexts()
				.values()
				.forEach((beans) -> beans.getBeans().values().forEach((bean) -> collect(bean.getProperties(), values)));

			assertThat(values).contains("https://api.stripe.com", "free", "******")
				.noneMatch((value) -> value.contains("SuperSecret"));
		});
	}

	@Test
	void environmentMasksTheSecretPropertiesAndWhatLooksLikeAKey() {
		this.contextRunner.run((context) -> {
			EnvironmentEndpoint endpoint = new EnvironmentEndpoint(context.getEnvironment(),
					sanitizingFunctions(context), Show.ALWAYS);

			assertThat(value(endpoint, "metering.stripe.api-key")).isEqualTo("******");
			assertThat(value(endpoint, "metering.polar.access-token")).isEqualTo("******");
			assertThat(value(endpoint, "metering.stripe.webhook.secret[0]")).isEqualTo("******");
			assertThat(value(endpoint, "metering.polar.webhook.secret[0]")).isEqualTo("******");
			assertThat(value(endpoint, "metering.metronome.api-token")).isEqualTo("******");
			assertThat(value(endpoint, "METERING_METRONOME_WEBHOOK_SECRET")).isEqualTo("******");
			assertThat(value(endpoint, "STRIPE_SECRET_KEY")).isEqualTo("******");
			assertThat(value(endpoint, "metering.default-plan")).isEqualTo("free");
		});
	}

	@Test
	void withoutActuatorNothingIsRegistered() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(SanitizingFunction.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(MeteringActuatorAutoConfiguration.class));
	}

	@Test
	void theHealthIndicatorJudgesDeliveryUnderTheNameMetering() {
		this.actuatorRunner.withPropertyValues("management.endpoint.health.show-details=always").run((context) -> {
			assertThat(context).hasSingleBean(MeteringHealthIndicator.class);
			HealthDescriptor metering = context.getBean(HealthEndpoint.class).healthForPath("metering");
			assertThat(metering.getStatus()).isEqualTo(Status.UP);
			assertThat(((IndicatedHealthDescriptor) metering).getDetails()).containsEntry("provider", "local")
				.containsEntry("pending", 0L)
				.containsEntry("maxDeliveryLag", "PT15M");
		});
	}

	@Test
	void theHealthIndicatorCanBeTurnedOffAsActuatorsOwnCan() {
		this.actuatorRunner.withPropertyValues("management.health.metering.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(MeteringHealthIndicator.class));
	}

	@Test
	void theEndpointIsNotThereUntilTheApplicationExposesIt() {
		this.actuatorRunner.run((context) -> assertThat(context).doesNotHaveBean(MeteringEndpoint.class));
		this.actuatorRunner.withPropertyValues("management.endpoints.web.exposure.include=health,metering")
			.run((context) -> assertThat(context).hasSingleBean(MeteringEndpoint.class));
		this.actuatorRunner
			.withPropertyValues("management.endpoints.web.exposure.include=*",
					"management.endpoint.metering.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(MeteringEndpoint.class));
	}

	@Test
	void withTheOutboxInMemoryTheEndpointListsAndReDrivesButCannotReconcile() {
		this.actuatorRunner.withPropertyValues("management.endpoints.web.exposure.include=metering").run((context) -> {
			assertThat(context).doesNotHaveBean(UsageReconciler.class);
			MeteringEndpoint endpoint = context.getBean(MeteringEndpoint.class);
			assertThat(endpoint.metering(0, 10).deadLetterPage().items()).isEmpty();
			assertThat(endpoint.act("redrive-all", null, null, null))
				.isEqualTo(new MeteringEndpoint.RedriveDescriptor(0));
			assertThatExceptionOfType(InvalidEndpointRequestException.class)
				.isThrownBy(() -> endpoint.act("reconcile", null, null, null))
				.withMessageContaining("Reconciliation needs the outbox in the database");
			assertThatExceptionOfType(InvalidEndpointRequestException.class)
				.isThrownBy(() -> endpoint.act("redrive", null, null, null))
				.withMessageContaining("redrive needs the identifier of a dead letter");
			assertThatExceptionOfType(InvalidEndpointRequestException.class)
				.isThrownBy(() -> endpoint.act("purge", null, null, null))
				.withMessage("Unknown action 'purge'; the metering endpoint takes redrive (with an identifier), "
						+ "redrive-all and reconcile");
			assertThatExceptionOfType(InvalidEndpointRequestException.class).isThrownBy(() -> endpoint.metering(0, 501))
				.withMessageContaining("size 1 to 500");
		});
	}

	@Test
	void withoutActuatorThereIsNoHealthIndicatorNorEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=metering")
			.withClassLoader(
					new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(BillingClient.class)
				.doesNotHaveBean(MeteringHealthIndicator.class)
				.doesNotHaveBean(MeteringEndpoint.class));
	}

	@Test
	void withoutActuatorsHealthModuleTheEndpointIsStillThere() {
		new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(EndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=metering")
			.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(MeteringHealthIndicator.class)
				.hasSingleBean(MeteringEndpoint.class));
	}

	private static List<SanitizingFunction> sanitizingFunctions(AssertableApplicationContext context) {
		List<SanitizingFunction> functions = context.getBeanProvider(SanitizingFunction.class).orderedStream().toList();
		assertThat(functions).isNotEmpty();
		return functions;
	}

	private static Object value(EnvironmentEndpoint endpoint, String name) {
		return endpoint.environmentEntry(name).getProperty().getValue();
	}

	private static void collect(Object value, List<String> into) {
		if (value instanceof Map<?, ?> map) {
			map.values().forEach((nested) -> collect(nested, into));
		}
		else if (value instanceof Iterable<?> list) {
			list.forEach((nested) -> collect(nested, into));
		}
		else if (value != null) {
			into.add(value.toString());
		}
	}

}
