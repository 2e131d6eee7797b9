package dev.metering.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.metering.BillingClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Carol's organization pays ahead: it was granted 300 tokens once, at start-up, and its
 * chats draw on them until it gets a 402; an operator's top-up admits it again. The
 * dashboard reads each organization's balance and grants.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.datasource.url=jdbc:h2:mem:prepaid")
@AutoConfigureRestTestClient
@ExtendWith(OutputCaptureExtension.class)
class SamplePrepaidOrganizationTests {

	static final String METER = "ai-tokens";

	static final String CAROLS_ORGANIZATION = "org_umbrella";

	@Autowired
	private RestTestClient client;

	@Autowired
	private BillingClient billing;

	@Test
	void carolsChatsDrawOnHerCreditsUntilA402AndATopUpAdmitsThemAgain(CapturedOutput output) {
		Map<String, Object> before = balance(dashboard("carol"));
		assertThat(object(before.get("balance"))).containsEntry("granted", 300);
		assertThat((List<?>) before.get("grants")).singleElement()
			.satisfies((grant) -> assertThat(object(grant)).containsEntry("amount", 300)
				.containsEntry("source", "local")
				.containsEntry("expiresAt", null));

		int admitted = 0;
		while (chat("carol").returnResult().getStatus().value() == 200) {
			admitted++;
			assertThat(admitted).as("chats admitted on 300 tokens").isLessThan(10);
		}
		assertThat(admitted).isPositive();
		chat("carol").expectStatus()
			.isEqualTo(402)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:metering:insufficient-balance")
			.jsonPath("$.meterKey")
			.isEqualTo(METER)
			.jsonPath("$.granted")
			.isEqualTo(300);
		Map<String, Object> usedUp = object(balance(dashboard("carol")).get("balance"));
		assertThat(((Number) usedUp.get("used")).longValue()).isGreaterThanOrEqualTo(300);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output).contains("Balance of org_umbrella on ai-tokens is at 0 %"));

		topUp("alice", 1000).expectStatus().isOk().expectBody().jsonPath("$.grant.amount").isEqualTo(1000);

		chat("carol").expectStatus().isOk();
		Map<String, Object> toppedUp = balance(dashboard("carol"));
		assertThat(object(toppedUp.get("balance"))).containsEntry("granted", 1300);
		assertThat((List<?>) toppedUp.get("grants")).hasSize(2);
	}

	@Test
	void onlyAnOperatorTopsUp() {
		topUp("carol", 1_000_000).expectStatus().isForbidden();

		assertThat(this.billing.getBalance(CAROLS_ORGANIZATION, METER).granted()).isLessThan(1_000_000);
		assertThat(dashboard("carol")).containsEntry("operator", false);
		assertThat(dashboard("alice")).containsEntry("operator", true);
	}

	@Test
	void alicesProPlanGrantsAMillionTokensForTheMonth() {
		Map<String, Object> alices = balance(dashboard("alice"));

		assertThat(alices).containsEntry("key", METER).containsEntry("displayName", "AI tokens");
		assertThat(object(alices.get("balance"))).containsEntry("granted", 1_000_000)
			.containsKey("nextExpiry")
			.doesNotContainEntry("nextExpiry", null);
		assertThat((List<?>) alices.get("grants")).singleElement()
			.satisfies((grant) -> assertThat(object(grant)).containsEntry("amount", 1_000_000)
				.containsEntry("source", "plan")
				.containsEntry("referenceId", "org_acme"));
	}

	private RestTestClient.ResponseSpec chat(String user) {
		return this.client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "What does prepaid mean?"))
			.exchange();
	}

	private RestTestClient.ResponseSpec topUp(String user, long amount) {
		return this.client.post()
			.uri("/actuator/metering/" + CAROLS_ORGANIZATION + "/grant")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("meter", METER, "amount", amount))
			.exchange();
	}

	private Map<String, Object> dashboard(String user) {
		return object(this.client.get()
			.uri("/api/dashboard")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody());
	}

	private static Map<String, Object> balance(Map<String, Object> dashboard) {
		return object(((List<?>) dashboard.get("balances")).get(0));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> object(Object json) {
		return (Map<String, Object>) json;
	}

}
