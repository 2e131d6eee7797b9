package dev.metering.provider.polar;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Polar's client is made from the application's {@code RestClient.Builder} when it has
 * one, so that the application's customizers (and HTTP client observations) reach
 * metering's requests, and from Boot's HTTP client builder, which the provider cannot do
 * without.
 */
class PolarHttpClientTests {

	private static final String TOKEN = "polar_oat_httpClientNeverShown";

	@RegisterExtension
	static final StubServer polar = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=polar", "metering.polar.access-token=" + TOKEN,
				"metering.polar.base-url=" + polar.baseUrl(), "metering.polar.read-timeout=5s",
				"metering.meters.ai-tokens.event-name=ai_tokens");

	@Test
	void theApplicationsRestClientCustomizersReachPolarsRequests() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(HttpClientAutoConfiguration.class, RestClientAutoConfiguration.class))
			.withBean(RestClientCustomizer.class,
					() -> (builder) -> builder.defaultHeader("X-Application", "metered-saas"))
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				billing.recordUsage("ai_tokens", PolarMeterProviderTests.POLAR_CUSTOMER, 3);
				assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			});
		polar.verify(1,
				postRequestedFor(urlEqualTo(PolarStub.INGEST)).withHeader("X-Application", equalTo("metered-saas"))
					.withHeader("Authorization", equalTo("Bearer " + TOKEN))
					.withHeader("Polar-Version", equalTo(PolarClient.API_VERSION)));
	}

	@Test
	void withoutAnApplicationBuilderPolarIsSpokenToAsBefore() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.recordUsage("ai_tokens", PolarMeterProviderTests.POLAR_CUSTOMER, 3);
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		});
		polar.verify(1, postRequestedFor(urlEqualTo(PolarStub.INGEST)).withoutHeader("X-Application")
			.withHeader("Authorization", equalTo("Bearer " + TOKEN)));
	}

	@Test
	void withoutBootsHttpClientBuilderStartUpFailsNamingTheDependency() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ClientHttpRequestFactoryBuilder.class))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.provider=polar needs Spring's RestClient on the class path")
				.hasMessageContaining("org.springframework.boot:spring-boot-http-client"));
	}

}
