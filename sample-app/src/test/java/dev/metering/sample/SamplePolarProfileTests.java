package dev.metering.sample;

import java.time.Duration;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.metering.BillingClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code polar} profile as docs/polar.md runs it against a stub server: chats are
 * ingested as Polar events for the logged-in user's organization, its external customer
 * ID.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.datasource.url=jdbc:h2:mem:polar")
@AutoConfigureRestTestClient
@ActiveProfiles("polar")
class SamplePolarProfileTests {

	static final WireMockServer polar = new WireMockServer(WireMockConfiguration.options().dynamicPort());

	static {
		polar.start();
	}

	@DynamicPropertySource
	static void polarStub(DynamicPropertyRegistry registry) {
		registry.add("POLAR_ACCESS_TOKEN", () -> "polar_oat_sample");
		registry.add("POLAR_BASE_URL", polar::baseUrl);
	}

	@AfterAll
	static void stop() {
		polar.stop();
	}

	@Autowired
	RestTestClient client;

	@Autowired
	BillingClient billing;

	@Test
	void chatsBecomeEventsOfTheMeterForTheUsersOrganization() {
		polar.stubFor(post(urlEqualTo("/v1/events/ingest"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody("{\"inserted\":1,\"duplicates\":0}")));
		polar.stubFor(get(urlPathMatching("/v1/customers/external/.*/state")).willReturn(aResponse().withStatus(404)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"error\":\"ResourceNotFound\",\"detail\":\"Not found\"}")));

		this.client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth("alice", "alice"))
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"message\":\"Hello Polar\"}")
			.exchange()
			.expectStatus()
			.isOk();

		assertThat(this.billing.flush(Duration.ofSeconds(10))).isTrue();
		assertThat(polar.findAll(postRequestedFor(urlEqualTo("/v1/events/ingest"))
			.withHeader("Authorization", equalTo("Bearer polar_oat_sample"))
			.withRequestBody(matchingJsonPath("$.events[0].name", equalTo("ai_tokens")))
			.withRequestBody(matchingJsonPath("$.events[0].external_customer_id", equalTo("org_acme")))
			.withRequestBody(matchingJsonPath("$.events[0].metadata.tokens")))).hasSize(1);
	}

}
