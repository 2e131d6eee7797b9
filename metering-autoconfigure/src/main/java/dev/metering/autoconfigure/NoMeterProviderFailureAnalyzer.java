package dev.metering.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

import dev.metering.provider.MeterProvider;

/**
 * Explains a start-up that found no {@link MeterProvider}: each provider's
 * auto-configuration contributes one only when {@code metering.provider} names it and
 * what it needs is on the class path, so the missing bean means one of those is not so.
 */
class NoMeterProviderFailureAnalyzer extends AbstractFailureAnalyzer<NoSuchBeanDefinitionException> {

	private final Environment environment;

	NoMeterProviderFailureAnalyzer(Environment environment) {
		this.environment = environment;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause) {
		if (!MeterProvider.class.equals(cause.getBeanType())) {
			return null;
		}
		String provider = this.environment.getProperty(MeteringProperties.PREFIX + ".provider", "local");
		// stripe without its SDK, polar and metronome without spring-web fail earlier,
		// with their own message
		return new FailureAnalysis("Metering found no MeterProvider for metering.provider=" + provider + ".",
				"Set metering.provider to local, stripe, polar or metronome, or define a MeterProvider bean.", cause);
	}

}
