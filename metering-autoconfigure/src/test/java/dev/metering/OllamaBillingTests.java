package dev.metering;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.ollama.OllamaChatModel;
import org.springframework.ai.ollama.api.OllamaApi;
import org.springframework.ai.ollama.api.OllamaChatOptions;

import dev.metering.provider.TokenUsage;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ollama's chat API through Spring AI's Ollama module: {@code prompt_eval_count} is the
 * input, {@code eval_count} the output, thinking included; a stream reports them in its
 * last line.
 */
class OllamaBillingTests extends ProviderBillingTests {

	@RegisterExtension
	static final StubServer ollama = new StubServer();

	private static final String COUNTS = "\"total_duration\":5191566416,\"load_duration\":2154458,"
			+ "\"prompt_eval_count\":26,\"prompt_eval_duration\":383809000,\"eval_count\":298,"
			+ "\"eval_duration\":4799921000";

	@Test
	void aCallsPromptAndEvalCountsAreBilledAsInputAndOutput() {
		ollama.stubFor(
				post(urlPathEqualTo("/api/chat")).willReturn(aResponse().withHeader("Content-Type", "application/json")
					.withBody("{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:56.836222Z\",\"message\":"
							+ "{\"role\":\"assistant\",\"content\":\"Hello!\",\"thinking\":\"A greeting.\"},"
							+ "\"done_reason\":\"stop\",\"done\":true," + COUNTS + "}")));

		assertThat(call(chat(), "org_ollama_call")).isEqualTo("Hello!");

		assertThat(billed("org_ollama_call")).isEqualTo(new TokenUsage(26, 0, 0, 298, 0));
	}

	@Test
	void aStreamsCountsInItsLastLineAreBilled() {
		ollama.stubFor(post(urlPathEqualTo("/api/chat"))
			.willReturn(aResponse().withHeader("Content-Type", "application/x-ndjson")
				.withBody("{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:56.1Z\",\"message\":{\"role\":"
						+ "\"assistant\",\"content\":\"Hel\"},\"done\":false}\n"
						+ "{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:56.2Z\",\"message\":{\"role\":"
						+ "\"assistant\",\"content\":\"lo!\"},\"done\":false}\n"
						+ "{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:56.3Z\",\"message\":{\"role\":"
						+ "\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true," + COUNTS + "}\n")));

		assertThat(stream(chat(), "org_ollama_stream")).isEqualTo("Hello!");

		assertThat(billed("org_ollama_stream")).isEqualTo(new TokenUsage(26, 0, 0, 298, 0));
	}

	private ChatClient chat() {
		return metered(OllamaChatModel.builder()
			.ollamaApi(OllamaApi.builder().baseUrl(ollama.baseUrl()).build())
			.options(OllamaChatOptions.builder().model("qwen3").build())
			.build());
	}

}
