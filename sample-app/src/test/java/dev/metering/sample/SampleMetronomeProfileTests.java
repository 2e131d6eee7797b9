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
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code metronome} profile as docs/metronome.md runs it against a stub server: chats
 * are ingested as Metronome usage events for the logged-in user's organization, its
 * ingest alias.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.datasource.url=jdbc:h2:mem:metronome")
@AutoConfigureRestTestClient
@ActiveProfiles("metronome")
class SampleMetronomeProfileTests {

	static final WireMockServer metronome = new WireMockServer(WireMockConfiguration.options().dynamicPort());

	static {
		metronome.start();
	}

	@DynamicPropertySource
	static void metronomeStub(DynamicPropertyRegistry registry) {
		registry.add("METRONOME_API_TOKEN", () -> "sample-metronome-token");
		registry.add("METRONOME_BASE_URL", metronome::baseUrl);
	}

	@AfterAll
	static void stop() {
		metronome.stop();
	}

	@Autowired
	RestTestClient client;

	@Autowired
	BillingClient billing;

	@Test
	void chatsBecomeUsageEventsForTheUsersOrganization() {
		metronome.stubFor(post(urlEqualTo("/v1/ingest")).willReturn(aResponse().withStatus(200)));
		metronome.stubFor(get(urlPathEqualTo("/v1/customers"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody("{\"data\":[],\"next_page\":null}")));

		this.client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth("alice", "alice"))
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"message\":\"Hello Metronome\"}")
			.exchange()
			.expectStatus()
			.isOk();

		assertThat(this.billing.flush(Duration.ofSeconds(10))).isTrue();
		assertThat(metronome.findAll(postRequestedFor(urlEqualTo("/v1/ingest"))
			.withHeader("Authorization", equalTo("Bearer sample-metronome-token"))
			.withRequestBody(matchingJsonPath("$[0].event_type", equalTo("ai_tokens")))
			.withRequestBody(matchingJsonPath("$[0].customer_id", equalTo("org_acme")))
			.withRequestBody(matchingJsonPath("$[0].properties.tokens")))).hasSize(1);
	}

}
