package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Fails start-up with a message that says what to add when
 * {@code metering.provider=polar} but Spring's {@code RestClient} (spring-web) is not on
 * the class path, instead of leaving the application without a meter provider for reasons
 * only the condition report tells.
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "polar")
@ConditionalOnMissingClass("org.springframework.web.client.RestClient")
public final class PolarRestClientMissingAutoConfiguration {

	PolarRestClientMissingAutoConfiguration() {
		throw new IllegalStateException("metering.provider=polar needs Spring's RestClient on the class path: add "
				+ "org.springframework:spring-web (any Spring MVC or RestClient starter brings it), or choose another "
				+ "metering.provider");
	}

}
