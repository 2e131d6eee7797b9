package dev.metering.autoconfigure;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of metering's part in Spring Boot Actuator: its secrets are masked in
 * Actuator's output whatever the application's {@code show-values} setting.
 */
@AutoConfiguration
@ConditionalOnClass(SanitizingFunction.class)
public final class MeteringActuatorAutoConfiguration {

	@Bean
	SanitizingFunction meteringSecretsSanitizingFunction() {
		return new MeteringSecretsSanitizingFunction();
	}

}
