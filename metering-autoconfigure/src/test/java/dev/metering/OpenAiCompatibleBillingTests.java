package dev.metering;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.beans.factory.annotation.Autowired;

import dev.metering.provider.TokenUsage;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that speak OpenAI's chat completions, each with its own usage, through Spring
 * AI's OpenAI module as users point it at them: Azure OpenAI (reasoning and cached tokens
 * in OpenAI's details), DeepSeek (cache hits and misses in fields of its own, reasoning
 * in OpenAI's details), Mistral (prompt and completion only; usage in the stream's last
 * content chunk), and a self-hosted server that leaves the usage out of its stream.
 */
class OpenAiCompatibleBillingTests extends ProviderBillingTests {

	@RegisterExtension
	static final StubServer server = new StubServer();

	/**
	 * Azure OpenAI's answer of a reasoning model: 2,006 prompt tokens, 1,280 of them
	 * cached; 1,843 completion tokens, 448 of them reasoning.
	 */
	private static final String AZURE_USAGE = "{\"completion_tokens\":1843,\"completion_tokens_details\":{"
			+ "\"accepted_prediction_tokens\":0,\"audio_tokens\":0,\"reasoning_tokens\":448,"
			+ "\"rejected_prediction_tokens\":0},\"prompt_tokens\":2006,\"prompt_tokens_details\":{\"audio_tokens\":0,"
			+ "\"cached_tokens\":1280},\"total_tokens\":3849}";

	/**
	 * Where Azure OpenAI's chat completions are asked for: under the deployment's path
	 * with Spring AI 2.0.1's Microsoft Foundry mode, at the base URL's with 2.0.0's.
	 */
	private static final String AZURE_PATH = "(/openai/deployments/o4-mini-prod)?/chat/completions";

	private static final String AZURE_MODEL = "o4-mini-2025-04-16";

	/**
	 * DeepSeek's reasoner: 1,200 prompt tokens, 1,000 cache hits; 300 completion tokens,
	 * 250 reasoning.
	 */
	private static final String DEEPSEEK_USAGE = "{\"completion_tokens\":300,\"prompt_tokens\":1200,"
			+ "\"prompt_cache_hit_tokens\":1000,\"prompt_cache_miss_tokens\":200,\"total_tokens\":1500,"
			+ "\"completion_tokens_details\":{\"reasoning_tokens\":250}}";

	private static final String MISTRAL_USAGE = "{\"prompt_tokens\":16,\"total_tokens\":50,\"completion_tokens\":34}";

	@Autowired
	MeterRegistry registry;

	@Test
	void azureOpenAisCachedAndReasoningTokensAreEachBilledInTheirType() {
		server.stubFor(post(urlPathMatching(AZURE_PATH))
			.willReturn(json(completion(AZURE_MODEL, "Thought it through", AZURE_USAGE, true))));

		assertThat(call(azure(), "org_azure_call")).isEqualTo("Thought it through");

		assertThat(billed("org_azure_call")).isEqualTo(new TokenUsage(726, 1280, 0, 1395, 448));
	}

	@Test
	void azureOpenAisStreamedUsageIsBilledLikeItsCalls() {
		server.stubFor(post(urlPathMatching(AZURE_PATH))
			.willReturn(sse(chunk(AZURE_MODEL, "{\"role\":\"assistant\",\"content\":\"Thought \"}", null, null),
					chunk(AZURE_MODEL, "{\"content\":\"it through\"}", "stop", null),
					usageChunk(AZURE_MODEL, AZURE_USAGE))));

		assertThat(stream(azure(), "org_azure_stream")).isEqualTo("Thought it through");

		assertThat(billed("org_azure_stream")).isEqualTo(new TokenUsage(726, 1280, 0, 1395, 448));
	}

	@Test
	void deepSeeksCacheHitsAndReasoningAreEachBilledInTheirType() {
		server.stubFor(post(urlPathEqualTo("/chat/completions"))
			.willReturn(json(completion("deepseek-reasoner", "42", DEEPSEEK_USAGE, false))));

		assertThat(call(openAiCompatible("deepseek-reasoner"), "org_deepseek_call")).isEqualTo("42");

		assertThat(billed("org_deepseek_call")).isEqualTo(new TokenUsage(200, 1000, 0, 50, 250));
	}

	@Test
	void deepSeeksStreamedUsageIsBilledLikeItsCalls() {
		server.stubFor(post(urlPathEqualTo("/chat/completions"))
			.willReturn(sse(chunk("deepseek-reasoner", "{\"role\":\"assistant\",\"content\":\"42\"}", "stop", null),
					usageChunk("deepseek-reasoner", DEEPSEEK_USAGE))));

		assertThat(stream(openAiCompatible("deepseek-reasoner"), "org_deepseek_stream")).isEqualTo("42");

		assertThat(billed("org_deepseek_stream")).isEqualTo(new TokenUsage(200, 1000, 0, 50, 250));
	}

	@Test
	void mistralsPromptAndCompletionAreBilledAsInputAndOutput() {
		server.stubFor(post(urlPathEqualTo("/chat/completions"))
			.willReturn(json(completion("mistral-small-latest", "Bonjour", MISTRAL_USAGE, false))));

		assertThat(call(openAiCompatible("mistral-small-latest"), "org_mistral_call")).isEqualTo("Bonjour");

		assertThat(billed("org_mistral_call")).isEqualTo(new TokenUsage(16, 0, 0, 34, 0));
	}

	@Test
	void mistralsUsageInTheStreamsLastContentChunkIsBilled() {
		server.stubFor(post(urlPathEqualTo("/chat/completions"))
			.willReturn(sse(chunk("mistral-small-latest", "{\"role\":\"assistant\",\"content\":\"Bon\"}", null, null),
					chunk("mistral-small-latest", "{\"content\":\"jour\"}", "stop", MISTRAL_USAGE))));

		assertThat(stream(openAiCompatible("mistral-small-latest"), "org_mistral_stream")).isEqualTo("Bonjour");

		assertThat(billed("org_mistral_stream")).isEqualTo(new TokenUsage(16, 0, 0, 34, 0));
	}

	@Test
	void aStreamWithoutUsageIsBilledByEstimateAndCounted() {
		server.stubFor(post(urlPathEqualTo("/chat/completions")).willReturn(sse(
				chunk("llama-3.1-8b", "{\"role\":\"assistant\",\"content\":\"Hello there, friend\"}", "stop", null))));

		assertThat(stream(openAiCompatible("llama-3.1-8b"), "org_unreported")).isEqualTo("Hello there, friend");

		TokenUsage billed = billed("org_unreported");
		assertThat(billed.input()).as("the prompt, counted").isPositive();
		assertThat(billed.output()).as("four characters a token of the text seen").isEqualTo(5);
		assertThat(this.registry.get("metering.usage.estimated")
			.tag("model", "llama-3.1-8b")
			.tag("reason", "unreported")
			.counter()
			.count()).isOne();
	}

	private ChatClient azure() {
		return metered(OpenAiChatModel.builder()
			.options(OpenAiChatOptions.builder()
				.baseUrl(server.baseUrl())
				.microsoftFoundry(true)
				.deploymentName("o4-mini-prod")
				.apiKey("azure-test-key")
				.maxRetries(0)
				.build())
			.build());
	}

	private ChatClient openAiCompatible(String model) {
		return metered(OpenAiChatModel.builder()
			.options(OpenAiChatOptions.builder()
				.baseUrl(server.baseUrl())
				.apiKey("sk-test")
				.model(model)
				.maxRetries(0)
				.build())
			.build());
	}

	/** An answer, with Azure's content filter results when {@code filtered}. */
	private static String completion(String model, String text, String usage, boolean filtered) {
		String filters = filtered ? ",\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{}}]"
				: "";
		return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1727889401,\"model\":\"" + model
				+ "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text
				+ "\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":" + usage + filters + "}";
	}

	private static String chunk(String model, String delta, String finishReason, String usage) {
		return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1727889401,\"model\":\"" + model
				+ "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
				+ ((finishReason != null) ? "\"" + finishReason + "\"" : "null") + "}]"
				+ ((usage != null) ? ",\"usage\":" + usage : "") + "}";
	}

	/** The chunk of a stream asked to include its usage: no choices, the usage. */
	private static String usageChunk(String model, String usage) {
		return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1727889401,\"model\":\"" + model
				+ "\",\"choices\":[],\"usage\":" + usage + "}";
	}

	private static ResponseDefinitionBuilder json(String body) {
		return aResponse().withHeader("Content-Type", "application/json").withBody(body);
	}

	private static ResponseDefinitionBuilder sse(String... events) {
		StringBuilder body = new StringBuilder();
		for (String event : events) {
			body.append("data: ").append(event).append("\n\n");
		}
		body.append("data: [DONE]\n\n");
		return aResponse().withHeader("Content-Type", "text/event-stream").withBody(body.toString());
	}

}
