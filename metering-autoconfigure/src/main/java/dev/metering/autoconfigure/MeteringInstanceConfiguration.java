package dev.metering.autoconfigure;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one {@link MeteringInstance} of the application, imported by every feature that
 * keeps state per instance in the database (outbox, usage ledger).
 */
@Configuration(proxyBeanMethods = false)
class MeteringInstanceConfiguration {

	@Bean
	MeteringInstance meteringInstance() {
		return MeteringInstance.create();
	}

}
