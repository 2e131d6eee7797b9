package dev.metering.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metering's secrets stay out of Actuator's output even when the application shows values.
 */
class MeteringActuatorAutoConfigurationTests {

	private static final String STRIPE_KEY = "sk_test_51SuperSecretKey";

	private static final String POLAR_TOKEN = "polar_oat_SuperSecretToken";

	private static final String STRIPE_WEBHOOK_SECRET = "whsec_SuperSecretSigningSecret";

	/** A secret not shaped like any known one: only the property's name tells that it is one. */
	private static final String POLAR_WEBHOOK_SECRET = "SuperSecretPolarEndpointSecret";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.stripe.api-key=" + STRIPE_KEY, "metering.polar.access-token=" + POLAR_TOKEN,
				"STRIPE_SECRET_KEY=" + STRIPE_KEY, "metering.default-plan=free",
				"metering.stripe.webhook.secret[0]=" + STRIPE_WEBHOOK_SECRET,
				"metering.polar.webhook.secret[0]=" + POLAR_WEBHOOK_SECRET);

	@Test
	void configurationPropertiesReportMasksTheSecretsWhenShowingValues() {
		this.contextRunner.run((context) -> {
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
