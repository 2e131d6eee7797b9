package dev.metering.actuate;

import java.io.IOException;
import java.net.http.HttpResponse;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.metering.BillingClient;
import dev.metering.support.LocalHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An organization's prepaid balances through the metering endpoint over HTTP, as an
 * operator uses it: read, granted, revoked, and bad requests answered 400 with what is
 * wrong.
 */
@SpringBootTest(classes = MeteringEndpointBalancesHttpTests.App.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.prepaid=true",
				"metering.meters.images.event-name=images", "spring.ai.openai.api-key=sk-test",
				"management.endpoints.web.exposure.include=metering", "spring.web.error.include-message=always" })
class MeteringEndpointBalancesHttpTests {

	@LocalServerPort
	int port;

	@Autowired
	BillingClient billing;

	@Test
	void aGrantMadeOverHttpIsReadBackAndRevoked() throws Exception {
		HttpResponse<String> granted = post("/actuator/metering/org_http/grant",
				"{\"meter\":\"ai-tokens\",\"amount\":5000,\"expiresAt\":\"2099-01-01T00:00:00Z\",\"priority\":3}");
		assertThat(granted.statusCode()).isEqualTo(200);
		String grant = JsonPath.read(granted.body(), "$.grant.id");
		assertThat(JsonPath.<Integer>read(granted.body(), "$.grant.priority")).isEqualTo(3);

		HttpResponse<String> read = get("/actuator/metering/org_http");
		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(read.body(), "$.balances[0].balance.meterKey")).isEqualTo("ai-tokens");
		assertThat(JsonPath.<Integer>read(read.body(), "$.balances[0].balance.remaining")).isEqualTo(5000);
		assertThat(JsonPath.<String>read(read.body(), "$.balances[0].balance.nextExpiry"))
			.isEqualTo("2099-01-01T00:00:00Z");
		assertThat(JsonPath.<String>read(read.body(), "$.balances[0].grants[0].id")).isEqualTo(grant);

		HttpResponse<String> revoked = post("/actuator/metering/org_http/revoke", "{\"grant\":\"" + grant + "\"}");
		assertThat(revoked.statusCode()).isEqualTo(200);
		assertThat(this.billing.getGrants("org_http", "ai-tokens")).isEmpty();
		assertThat(this.billing.getBalance("org_http", "ai-tokens").remaining()).isZero();
	}

	@Test
	void badRequestsAreRefusedSayingWhatIsWrong() throws Exception {
		assertBadRequest(post("/actuator/metering/org_bad/grant", "{\"meter\":\"ai-tokens\"}"),
				"grant needs a meter and an amount");
		assertBadRequest(post("/actuator/metering/org_bad/grant", "{\"meter\":\"images\",\"amount\":10}"),
				"metering.meters.images.prepaid=true");
		assertBadRequest(post("/actuator/metering/org_bad/grant",
				"{\"meter\":\"ai-tokens\",\"amount\":10,\"expiresAt\":\"tomorrow\"}"), "tomorrow");
		assertBadRequest(post("/actuator/metering/org_bad/revoke", "{\"grant\":\"grant_unknown\"}"),
				"'org_bad' has no active grant 'grant_unknown'");
		assertBadRequest(post("/actuator/metering/org_bad/top-up", "{}"), "Unknown action 'top-up'");
		assertThat(this.billing.getGrants("org_bad", "ai-tokens")).isEmpty();
	}

	private static void assertBadRequest(HttpResponse<String> response, String message) {
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains(message);
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
