package dev.metering.provider.stripe;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.metering.BillingClient;
import dev.metering.MeteredUsage;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @MeteredUsage} method whose ChatClient calls go to OpenAI (WireMock) and whose
 * tokens arrive at Stripe (WireMock) as one meter event for the organization's customer.
 */
@SpringBootTest(classes = StripeEndToEndTests.App.class,
		properties = { "metering.provider=stripe", "metering.stripe.api-key=sk_test_e2e",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.accounts.org_acme.customer-id=cus_acme", "metering.accounts.org_acme.plan=pro",
				"metering.plans.pro.limits.aiTokens=100000", "metering.default-plan=pro",
				"metering.delivery.flush-interval=50ms" })
class StripeEndToEndTests {

	@RegisterExtension
	static final StubServer openAi = new StubServer();

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	@DynamicPropertySource
	static void endpoints(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.openai.base-url", () -> openAi.baseUrl() + "/v1");
		registry.add("spring.ai.openai.api-key", () -> "sk-test");
		registry.add("spring.ai.openai.max-retries", () -> "0");
		registry.add("metering.stripe.api-base", stripe::baseUrl);
		registry.add("metering.stripe.meter-events-base", stripe::baseUrl);
	}

	@Autowired
	Assistant assistant;

	@Autowired
	BillingClient billing;

	@Test
	void tokensOfAMeteredMethodArriveAtStripeForTheOrganizationsCustomer() {
		openAi.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse()
			.withHeader("Content-Type", "application/json")
			.withBody("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-4o-mini\","
					+ "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
					+ "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,"
					+ "\"total_tokens\":17}}")));
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));

		this.assistant.summarize("org_acme");

		assertThat(this.billing.flush(Duration.ofSeconds(10))).isTrue();
		List<LoggedRequest> events = stripe.findAll(postRequestedFor(urlEqualTo(StripeStub.METER_EVENTS)));
		assertThat(events).singleElement().satisfies((event) -> {
			assertThat(event.formParameter("event_name").firstValue()).isEqualTo("ai_tokens");
			assertThat(event.formParameter("payload[stripe_customer_id]").firstValue()).isEqualTo("cus_acme");
			assertThat(event.formParameter("payload[value]").firstValue()).isEqualTo("34");
			assertThat(event.formParameter("identifier").firstValue()).startsWith("usage_");
		});
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Assistant assistant(ChatClient.Builder builder) {
			return new Assistant(builder.build());
		}

	}

	static class Assistant {

		private final ChatClient chatClient;

		Assistant(ChatClient chatClient) {
			this.chatClient = chatClient;
		}

		@MeteredUsage(organization = "#orgId")
		public void summarize(String orgId) {
			this.chatClient.prompt("part one").call().content();
			this.chatClient.prompt("part two").call().content();
		}

	}

}
