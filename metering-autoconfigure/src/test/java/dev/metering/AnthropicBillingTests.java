package dev.metering;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.anthropic.AnthropicChatModel;
import org.springframework.ai.anthropic.AnthropicChatOptions;
import org.springframework.ai.chat.client.ChatClient;

import dev.metering.provider.TokenUsage;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Anthropic's Messages API through Spring AI's Anthropic module: its input tokens are
 * what was read fresh, so the prompt cache's reads and writes come on top of them, also
 * when the input is the larger; its thinking is part of its output tokens.
 */
class AnthropicBillingTests extends ProviderBillingTests {

	@RegisterExtension
	static final StubServer anthropic = new StubServer();

	/**
	 * 2,500 prompt tokens read fresh, 1,800 read from the cache and 200 written to it;
	 * 320 of output, thinking included.
	 */
	private static final String USAGE = "{\"input_tokens\":2500,\"cache_creation_input_tokens\":200,"
			+ "\"cache_read_input_tokens\":1800,\"output_tokens\":320,\"service_tier\":\"standard\"}";

	private static final TokenUsage BILLED = new TokenUsage(2500, 1800, 200, 320, 0);

	@Test
	void aCallsCacheTokensComeOnTopOfItsInput() {
		anthropic.stubFor(post(urlPathEqualTo("/v1/messages")).willReturn(aResponse()
			.withHeader("Content-Type", "application/json")
			.withBody("{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\","
					+ "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"thinking\",\"thinking\":"
					+ "\"The user greets me.\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pk\"},"
					+ "{\"type\":\"text\",\"text\":\"Hello!\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
					+ "\"usage\":" + USAGE + "}")));

		// Spring AI answers the thinking block first, as a generation of its own
		assertThat(call(chat(), "org_anthropic_call")).isEqualTo("The user greets me.");

		assertThat(billed("org_anthropic_call")).isEqualTo(BILLED);
	}

	@Test
	void aStreamsCacheTokensFromItsMessageDeltaComeOnTopOfItsInput() {
		anthropic.stubFor(post(urlPathEqualTo("/v1/messages"))
			.willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
				.withBody(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
						+ "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
						+ "\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,\"stop_sequence\":null,"
						+ "\"usage\":{\"input_tokens\":2500,"
						+ "\"cache_creation_input_tokens\":200,\"cache_read_input_tokens\":1800,\"output_tokens\":1}}}")
						+ event("content_block_start",
								"{\"type\":\"content_block_start\",\"index\":0,"
										+ "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
						+ event("content_block_delta",
								"{\"type\":\"content_block_delta\",\"index\":0,"
										+ "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}")
						+ event("content_block_delta",
								"{\"type\":\"content_block_delta\",\"index\":0,"
										+ "\"delta\":{\"type\":\"text_delta\",\"text\":\"lo!\"}}")
						+ event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
						+ event("message_delta",
								"{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
										+ "\"stop_sequence\":null},\"usage\":" + USAGE + "}")
						+ event("message_stop", "{\"type\":\"message_stop\"}"))));

		assertThat(stream(chat(), "org_anthropic_stream")).isEqualTo("Hello!");

		assertThat(billed("org_anthropic_stream")).isEqualTo(BILLED);
	}

	private ChatClient chat() {
		return metered(AnthropicChatModel.builder()
			.options(AnthropicChatOptions.builder()
				.baseUrl(anthropic.baseUrl())
				.apiKey("sk-ant-test")
				.model("claude-sonnet-4-5")
				.maxTokens(1024)
				.maxRetries(0)
				.build())
			.build());
	}

	private static String event(String name, String data) {
		return "event: " + name + "\ndata: " + data + "\n\n";
	}

}
