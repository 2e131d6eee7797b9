package dev.metering;

import com.google.genai.Client;
import com.google.genai.types.HttpOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.google.genai.GoogleGenAiChatModel;
import org.springframework.ai.google.genai.GoogleGenAiChatOptions;

import dev.metering.provider.TokenUsage;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Gemini API through Spring AI's Google GenAI module: a thinking model's answer
 * counts its thoughts and its tools' prompt only in its total (prompt 120, answer 40,
 * total 1,060); they are billed as reasoning and input. Cached content is part of the
 * prompt.
 */
class GeminiBillingTests extends ProviderBillingTests {

	@RegisterExtension
	static final StubServer gemini = new StubServer();

	private static final String MODEL = "gemini-2.5-flash";

	/**
	 * 120 prompt tokens, 40 of answer, 800 of thoughts and 100 of the search tool's
	 * results: 1,060 in all.
	 */
	private static final String THINKING_USAGE = "{\"promptTokenCount\":120,\"candidatesTokenCount\":40,"
			+ "\"totalTokenCount\":1060,\"thoughtsTokenCount\":800,\"toolUsePromptTokenCount\":100,"
			+ "\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":120}]}";

	private static final TokenUsage THINKING_BILLED = new TokenUsage(220, 0, 0, 40, 800);

	@Test
	void aThinkingModelsCallIsBilledItsThoughtsAndToolUsePrompt() {
		gemini.stubFor(post(urlPathEqualTo("/v1beta/models/" + MODEL + ":generateContent"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody(answer("The answer is 42.", THINKING_USAGE))));

		assertThat(call(chat(), "org_gemini_call")).isEqualTo("The answer is 42.");

		TokenUsage billed = billed("org_gemini_call");
		assertThat(billed).isEqualTo(THINKING_BILLED);
		assertThat(billed.total()).isEqualTo(1060);
	}

	@Test
	void aThinkingModelsStreamIsBilledTheUsageOfItsLastChunk() {
		gemini.stubFor(
				post(urlPathEqualTo("/v1beta/models/" + MODEL + ":streamGenerateContent")).willReturn(
						aResponse().withHeader("Content-Type", "text/event-stream")
							.withBody("data: " + chunk("The answer ", null,
									"{\"promptTokenCount\":120,\"totalTokenCount\":920,\"thoughtsTokenCount\":800}")
									+ "\r\n\r\ndata: " + chunk("is 42.", "STOP", THINKING_USAGE) + "\r\n\r\n")));

		assertThat(stream(chat(), "org_gemini_stream")).isEqualTo("The answer is 42.");

		assertThat(billed("org_gemini_stream")).isEqualTo(THINKING_BILLED);
	}

	@Test
	void cachedContentIsTakenOutOfThePrompt() {
		gemini.stubFor(post(urlPathEqualTo("/v1beta/models/" + MODEL + ":generateContent"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody(answer("Summarised.",
						"{\"promptTokenCount\":1000,\"cachedContentTokenCount\":600,"
								+ "\"candidatesTokenCount\":50,\"totalTokenCount\":1050,\"cacheTokensDetails\":"
								+ "[{\"modality\":\"TEXT\",\"tokenCount\":600}]}"))));

		assertThat(call(chat(), "org_gemini_cached")).isEqualTo("Summarised.");

		assertThat(billed("org_gemini_cached")).isEqualTo(new TokenUsage(400, 600, 0, 50, 0));
	}

	private ChatClient chat() {
		Client client = Client.builder()
			.apiKey("gemini-test-key")
			.httpOptions(HttpOptions.builder().baseUrl(gemini.baseUrl()).build())
			.build();
		return metered(GoogleGenAiChatModel.builder()
			.genAiClient(client)
			.options(GoogleGenAiChatOptions.builder().model(MODEL).build())
			.build());
	}

	private static String answer(String text, String usage) {
		return "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + text + "\"}],\"role\":\"model\"},"
				+ "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":" + usage + ",\"modelVersion\":\"" + MODEL
				+ "\",\"responseId\":\"mZ4xaN-1KqXtgLUPoOiw8Q0\"}";
	}

	private static String chunk(String text, String finishReason, String usage) {
		return "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + text + "\"}],\"role\":\"model\"}"
				+ ((finishReason != null) ? ",\"finishReason\":\"" + finishReason + "\"" : "") + ",\"index\":0}],"
				+ "\"usageMetadata\":" + usage + ",\"modelVersion\":\"" + MODEL + "\",\"responseId\":\"r1\"}";
	}

}
