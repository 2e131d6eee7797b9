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
 * Serves OpenAI's chat completions wire format from WireMock: plain answers, tool calls, and
 * SSE streams whose last chunk carries the usage.
 */
final class OpenAiStub {

	static final String PATH = "/v1/chat/completions";

	private OpenAiStub() {
	}

	static MappingBuilder completions() {
		return post(urlEqualTo(PATH));
	}

	static MappingBuilder streamedCompletions() {
		return post(urlEqualTo(PATH)).withRequestBody(equalToJson("{\"stream\": true}", true, true));
	}

	static ResponseDefinitionBuilder answer(String text, int promptTokens, int completionTokens) {
		return json(completion("{\"role\":\"assistant\",\"content\":\"" + text + "\"}", "stop", promptTokens,
				completionTokens));
	}

	static ResponseDefinitionBuilder toolCall(String tool, String argumentsJson, int promptTokens,
			int completionTokens) {
		String message = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
				+ "\"type\":\"function\",\"function\":{\"name\":\"" + tool + "\",\"arguments\":"
				+ quote(argumentsJson) + "}}]}";
		return json(completion(message, "tool_calls", promptTokens, completionTokens));
	}

	/** An SSE stream of the given text pieces, then a usage chunk with no choices, then [DONE]. */
	static ResponseDefinitionBuilder stream(List<String> pieces, int promptTokens, int completionTokens) {
		return aResponse().withHeader("Content-Type", "text/event-stream")
			.withBody(sseBody(pieces, promptTokens, completionTokens, true));
	}

	/** An SSE stream in which the model calls a tool, then sends its usage. */
	static ResponseDefinitionBuilder streamedToolCall(String tool, String argumentsJson, int promptTokens,
			int completionTokens) {
		String call = chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
				+ "\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"" + tool
				+ "\",\"arguments\":" + quote(argumentsJson) + "}}]},\"finish_reason\":null}]", null);
		String finish = chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]", null);
		String usage = chunk("[]", usage(promptTokens, completionTokens));
		return aResponse().withHeader("Content-Type", "text/event-stream")
			.withBody("data: " + call + "\n\ndata: " + finish + "\n\ndata: " + usage + "\n\ndata: [DONE]\n\n");
	}

	/** An SSE stream that never sends its usage chunk: text pieces only, then [DONE]. */
	static ResponseDefinitionBuilder streamWithoutUsage(List<String> pieces) {
		return aResponse().withHeader("Content-Type", "text/event-stream").withBody(sseBody(pieces, 0, 0, false));
	}

	static ResponseDefinitionBuilder serverError() {
		return aResponse().withStatus(500)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}");
	}

	static int requestCount(WireMockServer server) {
		return server.countRequestsMatching(postRequestedFor(urlEqualTo(PATH)).build()).getCount();
	}

	static String sseBody(List<String> pieces, int promptTokens, int completionTokens, boolean withUsage) {
		List<String> events = new ArrayList<>();
		for (int i = 0; i < pieces.size(); i++) {
			String finish = (i == pieces.size() - 1) ? "\"stop\"" : "null";
			String role = (i == 0) ? "\"role\":\"assistant\"," : "";
			events.add(chunk("[{\"index\":0,\"delta\":{" + role + "\"content\":" + quote(pieces.get(i))
					+ "},\"finish_reason\":" + finish + "}]", null));
		}
		if (withUsage) {
			events.add(chunk("[]", usage(promptTokens, completionTokens)));
		}
		StringBuilder body = new StringBuilder();
		events.forEach((event) -> body.append("data: ").append(event).append("\n\n"));
		return body.append("data: [DONE]\n\n").toString();
	}

	private static String chunk(String choices, String usage) {
		return "{\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
				+ "\"model\":\"gpt-4o-mini\",\"choices\":" + choices + ",\"usage\":" + ((usage != null) ? usage : "null")
				+ "}";
	}

	private static String completion(String message, String finishReason, int promptTokens, int completionTokens) {
		return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
				+ "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":" + message
				+ ",\"finish_reason\":\"" + finishReason + "\",\"logprobs\":null}],\"usage\":"
				+ usage(promptTokens, completionTokens) + "}";
	}

	private static String usage(int promptTokens, int completionTokens) {
		return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
				+ ",\"total_tokens\":" + (promptTokens + completionTokens) + "}";
	}

	private static ResponseDefinitionBuilder json(String body) {
		return aResponse().withHeader("Content-Type", "application/json").withBody(body);
	}

	private static String quote(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

}
