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
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code stripe} profile as docs/stripe.md runs it against a stub server: chats are
 * billed as meter events of the test meter for the logged-in user's customer.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.datasource.url=jdbc:h2:mem:stripe")
@AutoConfigureRestTestClient
@ActiveProfiles("stripe")
class SampleStripeProfileTests {

	static final WireMockServer stripe = new WireMockServer(WireMockConfiguration.options().dynamicPort());

	static {
		stripe.start();
	}

	@DynamicPropertySource
	static void stripeStub(DynamicPropertyRegistry registry) {
		registry.add("STRIPE_SECRET_KEY", () -> "sk_test_sample");
		registry.add("STRIPE_API_BASE", stripe::baseUrl);
		registry.add("STRIPE_METER_EVENTS_BASE", stripe::baseUrl);
		registry.add("STRIPE_CUSTOMER_ACME", () -> "cus_acme_test");
	}

	@AfterAll
	static void stop() {
		stripe.stop();
	}

	@Autowired
	RestTestClient client;

	@Autowired
	BillingClient billing;

	@Test
	void chatsBecomeMeterEventsOfTheTestMeterForTheUsersCustomer() {
		stripe.stubFor(post(urlEqualTo("/v1/billing/meter_events"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody("{\"object\":\"billing.meter_event\",\"event_name\":\"ai_tokens_test\",\"identifier\":\"x\","
						+ "\"livemode\":false,\"payload\":{},\"timestamp\":1763900000}")));
		stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody("{\"object\":\"list\",\"url\":\"/v1/subscriptions\",\"has_more\":false,\"data\":[]}")));

		this.client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth("alice", "alice"))
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"message\":\"Hello Stripe\"}")
			.exchange()
			.expectStatus()
			.isOk();

		assertThat(this.billing.flush(Duration.ofSeconds(10))).isTrue();
		assertThat(stripe.findAll(postRequestedFor(urlEqualTo("/v1/billing/meter_events"))
			.withFormParam("event_name", equalTo("ai_tokens_test"))
			.withFormParam("payload[stripe_customer_id]", equalTo("cus_acme_test")))).hasSize(1);
	}

}
