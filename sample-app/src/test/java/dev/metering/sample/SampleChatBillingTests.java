package dev.metering.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.metering.BillingClient;
import dev.metering.UsageStatus;
import dev.metering.test.AutoConfigureMeteringTest;
import dev.metering.test.RecordingMeterProvider;
import dev.metering.test.StubChatModel;
import dev.metering.test.UsageFixtures;

import static dev.metering.test.MeteringAssertions.assertThatUsage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's chat endpoints, tested as an application would test its own with the
 * {@code metering-test} kit: a model that reports chosen usage, the meter that records
 * what is billed, and usage set to just where a test needs it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		// neither the demo model nor OpenAI: the stub below
		properties = { "spring.datasource.url=jdbc:h2:mem:billing", "spring.ai.model.chat=stub" })
@AutoConfigureRestTestClient
@AutoConfigureMeteringTest
class SampleChatBillingTests {

	@Autowired
	private RestTestClient client;

	@Autowired
	private RecordingMeterProvider meter;

	@Autowired
	private UsageFixtures usage;

	@Autowired
	private StubChatModel model;

	@Autowired
	private BillingClient billing;

	/**
	 * The tests share bob's organization: each starts it with nothing used this month.
	 */
	@BeforeEach
	void nothingUsedYet() {
		this.usage.setUsed("org_globex", "aiTokens", 0);
	}

	@Test
	void aChatIsBilledExactlyTheModelsTokensToTheLoggedInUsersCustomer() {
		chat("alice", "/api/chat").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.answer")
			.isEqualTo("Metered answer")
			.jsonPath("$.promptTokens")
			.isEqualTo(12);

		assertThatUsage(this.meter).forOrganization("org_acme").onEvent("ai_tokens").hasValues(17);
		assertThatUsage(this.meter).forCustomer("cus_acme_demo").hasTotal(17);
		assertThatUsage(this.meter).forOrganization("org_globex").hasNoUsage();
	}

	@Test
	void aStreamedChatIsBilledTheUsageOfItsLastChunk() {
		String events = chat("bob", "/api/chat/stream").expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();

		assertThat(events).contains("data:Metered ", "data:answer", "event:usage");
		assertThatUsage(this.meter).forOrganization("org_globex").hasValues(17);
	}

	@Test
	void bobAtHisLimitIsRefusedWith429BeforeTheModelIsCalled() {
		this.usage.setUsed("org_globex", "aiTokens", 2_000);
		int prompts = this.model.prompts().size();
		UsageStatus status = this.billing.getUsageStatus("org_globex", "aiTokens");

		Instant refusedFrom = Instant.now();
		chat("bob", "/api/chat").expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.value("Retry-After",
					(seconds) -> assertThat(Long.parseLong(seconds)).as("whole seconds to the period's end")
						.isBetween(Duration.between(Instant.now(), status.periodEnd()).getSeconds(),
								Duration.between(refusedFrom, status.periodEnd()).getSeconds() + 1))
			.expectBody()
			.jsonPath("$.limitKey")
			.isEqualTo("aiTokens")
			.jsonPath("$.limit")
			.isEqualTo(2000)
			.jsonPath("$.used")
			.isEqualTo(2000)
			.jsonPath("$.periodEnd")
			.isEqualTo(status.periodEnd().toString());
		chat("bob", "/api/chat/stream").expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);

		assertThat(this.model.prompts()).as("prompts the model was sent").hasSize(prompts);
		assertThatUsage(this.meter).forOrganization("org_globex").hasNoUsage();
	}

	@Test
	void bobJustUnderHisLimitIsAdmittedOnceAndThenRefused() {
		this.usage.setUsed("org_globex", "aiTokens", 1_990);

		chat("bob", "/api/chat").expectStatus().isOk();
		chat("bob", "/api/chat").expectStatus().isEqualTo(429).expectBody().jsonPath("$.used").isEqualTo(2_007);

		assertThatUsage(this.meter).forOrganization("org_globex").hasValues(17);
	}

	private RestTestClient.ResponseSpec chat(String user, String endpoint) {
		return this.client.post()
			.uri(endpoint)
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "What does this cost?"))
			.exchange();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class StubModelConfiguration {

		@Bean
		StubChatModel chatModel() {
			return StubChatModel.replying("Metered answer").withUsage(12, 5);
		}

	}

}
