package dev.metering.provider.stripe;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.metering.BillingClient;
import dev.metering.support.LocalHttp;
import dev.metering.support.StubServer;
import dev.metering.support.WireMockJournal;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metering endpoint over HTTP, as an operator uses it once the application exposes
 * it: reading what waits, re-driving a dead letter that Stripe then accepts once, and
 * reconciling a window.
 */
@SpringBootTest(classes = StripeMeteringEndpointHttpTests.App.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "metering.provider=stripe", "metering.stripe.api-key=sk_test_endpoint",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_tokens",
				"metering.delivery.flush-interval=20ms", "spring.ai.openai.api-key=sk-test",
				"management.endpoints.web.exposure.include=health,metering",
				"spring.web.error.include-message=always" })
class StripeMeteringEndpointHttpTests {

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	@DynamicPropertySource
	static void stripeProperties(DynamicPropertyRegistry registry) {
		registry.add("metering.stripe.api-base", stripe::baseUrl);
		registry.add("metering.stripe.meter-events-base", stripe::baseUrl);
	}

	@LocalServerPort
	int port;

	@Autowired
	BillingClient billing;

	@Test
	void aDeadLetterListedOverHttpIsReDrivenAndStripeAcceptsItOnce() throws Exception {
		stripe.stubFor(StripeStub.meterEvents()
			.inScenario("fix")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(StripeStub.error(400, "invalid_request_error", "resource_missing",
					"No such customer: 'cus_late'")));
		stripe.stubFor(StripeStub.meterEvents()
			.inScenario("fix")
			.whenScenarioStateIs("customer created")
			.willReturn(StripeStub.meterEventCreated()));
		String identifier = this.billing.recordUsage("ai_tokens", "cus_late", 12).identifier();
		assertThat(this.billing.flush(Duration.ofSeconds(10))).isTrue();

		HttpResponse<String> listed = get("/actuator/metering?size=5");
		assertThat(listed.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(listed.body(), "$.provider")).isEqualTo("stripe");
		assertThat(JsonPath.<Integer>read(listed.body(), "$.deadLetters")).isOne();
		assertThat(JsonPath.<Integer>read(listed.body(), "$.deadLettersByEventName.ai_tokens")).isOne();
		assertThat(JsonPath.<Integer>read(listed.body(), "$.deadLetterPage.size")).isEqualTo(5);
		assertThat(JsonPath.<String>read(listed.body(), "$.deadLetterPage.items[0].identifier")).isEqualTo(identifier);
		assertThat(JsonPath.<String>read(listed.body(), "$.deadLetterPage.items[0].code"))
			.isEqualTo("resource_missing");
		assertThat(listed.body()).doesNotContain("sk_test_endpoint");

		stripe.setScenarioState("fix", "customer created");
		HttpResponse<String> redriven = post("/actuator/metering/redrive", "{\"identifier\":\"" + identifier + "\"}");
		assertThat(redriven.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<Integer>read(redriven.body(), "$.redriven")).isOne();
		assertThat(this.billing.flush(Duration.ofSeconds(10))).isTrue();

		assertThat(WireMockJournal.completed(stripe)
			.stream()
			.filter((event) -> event.getResponse().getStatus() == 200)
			.filter((event) -> identifier.equals(event.getRequest().formParameter("identifier").firstValue()))
			.count()).as("accepted once").isOne();
		assertThat(JsonPath.<Integer>read(get("/actuator/metering").body(), "$.deadLetters")).isZero();
	}

	@Test
	void aReconciliationAnswersTheDriftItFound() throws Exception {
		Instant yesterday = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
		Instant today = yesterday.plus(Duration.ofDays(1));
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		stripe.stubFor(StripeStub.eventSummaries("mtr_tokens")
			.withQueryParam("customer", equalTo("cus_http"))
			.willReturn(StripeStub.summaries("mtr_tokens", false,
					new long[] { yesterday.getEpochSecond(), today.getEpochSecond(), 5 })));
		this.billing.recordUsage("ai_tokens", "cus_http", 7, yesterday.plus(Duration.ofHours(3)));
		assertThat(this.billing.flush(Duration.ofSeconds(10))).isTrue();

		HttpResponse<String> answer = post("/actuator/metering/reconcile",
				"{\"start\":\"" + yesterday + "\",\"end\":\"" + today + "\"}");

		assertThat(answer.statusCode()).isEqualTo(200);
		List<String> customers = JsonPath.read(answer.body(), "$.drifts[*].customerId");
		assertThat(customers).containsExactly("cus_http");
		assertThat(JsonPath.<Integer>read(answer.body(), "$.drifts[0].delivered")).isEqualTo(7);
		assertThat(JsonPath.<Integer>read(answer.body(), "$.drifts[0].counted")).isEqualTo(5);
		assertThat(JsonPath.<Integer>read(answer.body(), "$.drifts[0].difference")).isEqualTo(-2);
		assertThat(JsonPath.<String>read(answer.body(), "$.start")).isEqualTo(yesterday.toString());
	}

	@Test
	void aRequestTheEndpointDoesNotTakeIsABadRequestThatSaysWhy() throws Exception {
		HttpResponse<String> unknown = post("/actuator/metering/purge", "{}");
		assertThat(unknown.statusCode()).isEqualTo(400);
		assertThat(unknown.body()).contains("redrive-all");

		HttpResponse<String> halfWindow = post("/actuator/metering/reconcile", "{\"start\":\"2026-01-01T00:00:00Z\"}");
		assertThat(halfWindow.statusCode()).isEqualTo(400);
		assertThat(halfWindow.body()).contains("Give both start and end");

		HttpResponse<String> partMinute = post("/actuator/metering/reconcile",
				"{\"start\":\"2026-01-01T00:00:30Z\",\"end\":\"2026-01-02T00:00:00Z\"}");
		assertThat(partMinute.statusCode()).isEqualTo(400);
		assertThat(partMinute.body()).contains("whole minutes");
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return new LocalHttp(this.port).get(path);
	}

	private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
		return new LocalHttp(this.port).post(path, json);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
