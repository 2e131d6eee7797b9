package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;

/**
 * Matches when what the HTTP providers (Polar, Metronome) are made of is missing:
 * Spring's {@code RestClient} (spring-web) or Spring Boot's HTTP client builder
 * (spring-boot-http-client).
 */
final class ProviderHttpClientMissingCondition extends AnyNestedCondition {

	ProviderHttpClientMissingCondition() {
		super(ConfigurationPhase.PARSE_CONFIGURATION);
	}

	@ConditionalOnMissingClass("org.springframework.web.client.RestClient")
	static final class RestClientMissing {

	}

	@ConditionalOnMissingClass("org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder")
	static final class HttpClientBuilderMissing {

	}

}
