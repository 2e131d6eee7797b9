package dev.metering;

import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * Serves OpenAI's chat completions wire format from WireMock: plain answers, tool calls,
 * and SSE streams whose last chunk carries the usage.
 */
final class OpenAiStub {

	static final String PATH = "/v1/chat/completions";

	/** The model the stub's answers name unless told another. */
	static final String MODEL = "gpt-4o-mini";

	private OpenAiStub() {
	}

	static MappingBuilder completions() {
		return post(urlEqualTo(PATH));
	}

	static MappingBuilder streamedCompletions() {
		return post(urlEqualTo(PATH)).withRequestBody(equalToJson("{\"stream\": true}", true, true));
	}

	static ResponseDefinitionBuilder answer(String text, int promptTokens, int completionTokens) {
		return json(completion("{\"role\":\"assistant\",\"content\":\"" + text + "\"}", "stop", MODEL,
				usage(promptTokens, completionTokens)));
	}

	/**
	 * An answer of the named model whose usage details count cached prompt and reasoning
	 * tokens.
	 */
	static ResponseDefinitionBuilder answer(String text, String model, int promptTokens, int cachedTokens,
			int completionTokens, int reasoningTokens) {
		return json(completion("{\"role\":\"assistant\",\"content\":\"" + text + "\"}", "stop", model,
				usage(promptTokens, cachedTokens, completionTokens, reasoningTokens)));
	}

	/**
	 * A stream whose usage chunk counts cached prompt and reasoning tokens in its
	 * details.
	 */
	static ResponseDefinitionBuilder stream(List<String> pieces, int promptTokens, int cachedTokens,
			int completionTokens, int reasoningTokens) {
		return aResponse().withHeader("Content-Type", "text/event-stream")
			.withBody(sseBody(pieces, usage(promptTokens, cachedTokens, completionTokens, reasoningTokens)));
	}

	static ResponseDefinitionBuilder toolCall(String tool, String argumentsJson, int promptTokens,
			int completionTokens) {
		return json(completion(toolCallMessage(tool, argumentsJson), "tool_calls", MODEL,
				usage(promptTokens, completionTokens)));
	}

	/** A tool call whose usage details count reasoning tokens in its completion. */
	static ResponseDefinitionBuilder toolCall(String tool, String argumentsJson, int promptTokens, int completionTokens,
			int reasoningTokens) {
		return json(completion(toolCallMessage(tool, argumentsJson), "tool_calls", MODEL,
				usage(promptTokens, 0, completionTokens, reasoningTokens)));
	}

	private static String toolCallMessage(String tool, String argumentsJson) {
		return "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
				+ "\"type\":\"function\",\"function\":{\"name\":\"" + tool + "\",\"arguments\":" + quote(argumentsJson)
				+ "}}]}";
	}

	/**
	 * An SSE stream of the given text pieces, then a usage chunk with no choices, then
	 * [DONE].
	 */
	static ResponseDefinitionBuilder stream(List<String> pieces, int promptTokens, int completionTokens) {
		return aResponse().withHeader("Content-Type", "text/event-stream")
			.withBody(sseBody(pieces, usage(promptTokens, completionTokens)));
	}

	/** An SSE stream in which the model calls a tool, then sends its usage. */
	static ResponseDefinitionBuilder streamedToolCall(String tool, String argumentsJson, int promptTokens,
			int completionTokens) {
		return streamedToolCall(tool, argumentsJson, usage(promptTokens, completionTokens));
	}

	/**
	 * A streamed tool call whose usage chunk counts reasoning tokens in its completion.
	 */
	static ResponseDefinitionBuilder streamedToolCall(String tool, String argumentsJson, int promptTokens,
			int completionTokens, int reasoningTokens) {
		return streamedToolCall(tool, argumentsJson, usage(promptTokens, 0, completionTokens, reasoningTokens));
	}

	private static ResponseDefinitionBuilder streamedToolCall(String tool, String argumentsJson, String usage) {
		String call = chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
				+ "\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"" + tool
				+ "\",\"arguments\":" + quote(argumentsJson) + "}}]},\"finish_reason\":null}]", null);
		String finish = chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]", null);
		String usageChunk = chunk("[]", usage);
		return aResponse().withHeader("Content-Type", "text/event-stream")
			.withBody("data: " + call + "\n\ndata: " + finish + "\n\ndata: " + usageChunk + "\n\ndata: [DONE]\n\n");
	}

	/** An SSE stream that never sends its usage chunk: text pieces only, then [DONE]. */
	static ResponseDefinitionBuilder streamWithoutUsage(List<String> pieces) {
		return aResponse().withHeader("Content-Type", "text/event-stream").withBody(sseBody(pieces, null));
	}

	static ResponseDefinitionBuilder serverError() {
		return aResponse().withStatus(500)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}");
	}

	static int requestCount(WireMockServer server) {
		return server.countRequestsMatching(postRequestedFor(urlEqualTo(PATH)).build()).getCount();
	}

	/**
	 * @param usage the usage chunk's usage, or {@code null} for a stream without one
	 */
	static String sseBody(List<String> pieces, String usage) {
		List<String> events = new ArrayList<>();
		for (int i = 0; i < pieces.size(); i++) {
			String finish = (i == pieces.size() - 1) ? "\"stop\"" : "null";
			String role = (i == 0) ? "\"role\":\"assistant\"," : "";
			events.add(chunk("[{\"index\":0,\"delta\":{" + role + "\"content\":" + quote(pieces.get(i))
					+ "},\"finish_reason\":" + finish + "}]", null));
		}
		if (usage != null) {
			events.add(chunk("[]", usage));
		}
		StringBuilder body = new StringBuilder();
		events.forEach((event) -> body.append("data: ").append(event).append("\n\n"));
		return body.append("data: [DONE]\n\n").toString();
	}

	private static String chunk(String choices, String usage) {
		return "{\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000," + "\"model\":\""
				+ MODEL + "\",\"choices\":" + choices + ",\"usage\":" + ((usage != null) ? usage : "null") + "}";
	}

	private static String completion(String message, String finishReason, String model, String usage) {
		return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000," + "\"model\":\"" + model
				+ "\",\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\"" + finishReason
				+ "\",\"logprobs\":null}],\"usage\":" + usage + "}";
	}

	private static String usage(int promptTokens, int completionTokens) {
		return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
				+ ",\"total_tokens\":" + (promptTokens + completionTokens) + "}";
	}

	/**
	 * OpenAI's usage with details: cached tokens are part of the prompt, reasoning of the
	 * completion.
	 */
	private static String usage(int promptTokens, int cachedTokens, int completionTokens, int reasoningTokens) {
		return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
				+ ",\"total_tokens\":" + (promptTokens + completionTokens) + ",\"prompt_tokens_details\":"
				+ "{\"cached_tokens\":" + cachedTokens + ",\"audio_tokens\":0},\"completion_tokens_details\":"
				+ "{\"reasoning_tokens\":" + reasoningTokens + ",\"audio_tokens\":0,"
				+ "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}";
	}

	private static ResponseDefinitionBuilder json(String body) {
		return aResponse().withHeader("Content-Type", "application/json").withBody(body);
	}

	private static String quote(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

}
