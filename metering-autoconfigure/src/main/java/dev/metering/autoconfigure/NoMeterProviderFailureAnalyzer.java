package dev.metering.autoconfigure;

import java.util.Locale;
import java.util.Map;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

import dev.metering.provider.MeterProvider;

/**
 * Explains a start-up that found no {@link MeterProvider}: each provider's auto-configuration
 * contributes one only when {@code metering.provider} names it and what it needs is on the class
 * path, so the missing bean means one of those is not so.
 */
class NoMeterProviderFailureAnalyzer extends AbstractFailureAnalyzer<NoSuchBeanDefinitionException> {

	// stripe without its SDK fails earlier, with its own message (StripeSdkMissingAutoConfiguration)
	private static final Map<String, String> ACTIONS = Map.of("polar",
			"The Polar provider is not available in this version: use metering.provider=local or stripe, "
					+ "or define a MeterProvider bean.");

	private final Environment environment;

	NoMeterProviderFailureAnalyzer(Environment environment) {
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause) {
		if (!MeterProvider.class.equals(cause.getBeanType())) {
			return null;
		}
		String provider = this.environment.getProperty(MeteringProperties.PREFIX + ".provider", "local");
		return new FailureAnalysis("Metering found no MeterProvider for metering.provider=" + provider + ".",
				ACTIONS.getOrDefault(provider.toLowerCase(Locale.ROOT),
						"Set metering.provider to local, stripe or polar, or define a MeterProvider bean."),
				cause);
	}

}
