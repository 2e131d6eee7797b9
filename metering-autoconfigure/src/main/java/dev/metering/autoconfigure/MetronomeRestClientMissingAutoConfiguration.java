package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Conditional;

/**
 * Fails start-up with a message that says what to add when
 * {@code metering.provider=metronome} but Spring's {@code RestClient} (spring-web) or
 * Spring Boot's HTTP client builder (spring-boot-http-client) is not on the class path,
 * instead of leaving the application without a meter provider for reasons only the
 * condition report tells.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "metronome")
@Conditional(ProviderHttpClientMissingCondition.class)
public final class MetronomeRestClientMissingAutoConfiguration {

	MetronomeRestClientMissingAutoConfiguration() {
		throw new IllegalStateException("metering.provider=metronome needs Spring's RestClient on the class path: add "
				+ "org.springframework:spring-web and org.springframework.boot:spring-boot-http-client (the "
				+ "metering starter brings both), or choose another metering.provider");
	}

}
