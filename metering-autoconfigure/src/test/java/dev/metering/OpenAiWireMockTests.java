package dev.metering;

import java.time.Duration;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of tests that run the real OpenAI starter against a WireMock OpenAI and read what
 * was billed from the local meter and the usage ledger.
 */
abstract class OpenAiWireMockTests {

	static final WireMockServer openAi = new WireMockServer(WireMockConfiguration.options().dynamicPort());

	static {
		openAi.start();
	}

	@DynamicPropertySource
	static void openAiProperties(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.openai.base-url", () -> openAi.baseUrl() + "/v1");
		registry.add("spring.ai.openai.api-key", () -> "sk-test");
		registry.add("spring.ai.openai.max-retries", () -> "0");
	}

	@Autowired
	ChatClient.Builder chatClientBuilder;

	@Autowired
	BillingClient billingClient;

	@BeforeEach
	void resetOpenAi() {
		openAi.resetAll();
	}

	/**
	 * What the local meter holds for a customer of meter {@code mtr_ai}, once all is
	 * delivered.
	 */
	long billed(String customerId) {
		return billed("mtr_ai", customerId);
	}

	long billed(String meterId, String customerId) {
		assertThat(this.billingClient.flush(Duration.ofSeconds(10))).isTrue();
		return this.billingClient.getUsage(meterId, customerId).get(0).aggregatedValue();
	}

	/** What the usage ledger counts against an organization's {@code aiTokens} limit. */
	long used(String organization) {
		return this.billingClient.getUsageStatus(organization, "aiTokens").used();
	}

}
