package dev.metering;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code metering.observations.organization}, Spring AI's own token metric is tagged
 * with the organization each call bills, for calls and streams through the real OpenAI
 * starter, and with {@code none} for a model called with no one to bill.
 */
@SpringBootTest(classes = MeteringTestApplication.class, properties = { "metering.observations.organization=true",
		"metering.accounts.org_acme.customer-id=cus_acme", "metering.accounts.org_globex.customer-id=cus_globex" })
class OrganizationObservationTests extends OpenAiWireMockTests {

	@Autowired
	MeterRegistry registry;

	@Autowired
	ChatModel chatModel;

	@Test
	void springAisTokenUsageIsTaggedWithTheOrganizationBilled() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("Hello", 12, 5)));
		openAi.stubFor(OpenAiStub.streamedCompletions().willReturn(OpenAiStub.stream(List.of("Once ", "upon"), 30, 9)));
		ChatClient chat = this.chatClientBuilder.build();

		chat.prompt("Hi").advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_acme")).call().content();
		chat.prompt("Tell me")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_globex"))
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(10));
		this.chatModel.call(new Prompt("Unbilled"));

		assertThat(totalTokens("org_acme")).isEqualTo(17);
		assertThat(totalTokens("org_globex")).isEqualTo(39);
		assertThat(totalTokens("none")).isEqualTo(17);
		assertThat(this.registry.find("gen_ai.client.operation").timers())
			.allSatisfy((timer) -> assertThat(timer.getId().getTag("metering.organization")).isNotNull());
	}

	private double totalTokens(String organization) {
		return this.registry.find("gen_ai.client.token.usage")
			.tag("gen_ai.token.type", "total")
			.tag("metering.organization", organization)
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

}
