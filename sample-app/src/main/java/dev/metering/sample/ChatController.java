package dev.metering.sample;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Chat endpoints. Nothing here mentions billing: the metering starter adds its advisor to
 * the injected {@link ChatClient.Builder}, which checks the plan limit and the balance
 * before each call and bills the tokens after it, to the organization of the logged-in
 * user.
 */
@RestController
@RequestMapping("/api/chat")
class ChatController {

	private final ChatClient chatClient;

	ChatController(ChatClient.Builder chatClientBuilder) {
		this.chatClient = chatClientBuilder.defaultSystem("You are a helpful assistant. Answer briefly.").build();
	}

	@PostMapping
	ChatAnswer chat(@RequestBody ChatRequest request) {
		ChatResponse response = this.chatClient.prompt().user(request.requireMessage()).call().chatResponse();
		if (response == null || response.getResult() == null) {
			throw new ResponseStatusException(HttpStatus.BAD_GATEWAY, "The model gave no answer");
		}
		Usage usage = response.getMetadata().getUsage();
		return new ChatAnswer(response.getResult().getOutput().getText(), usage.getPromptTokens(),
				usage.getCompletionTokens());
	}

	/**
	 * Streams the answer as server-sent events: the text as it comes, then one
	 * {@code usage} event with the tokens the model reported.
	 */
	@PostMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Flux<ServerSentEvent<?>> stream(@RequestBody ChatRequest request) {
		return this.chatClient.prompt()
			.user(request.requireMessage())
			.stream()
			.chatResponse()
			.concatMapIterable(ChatController::events);
	}

	private static List<ServerSentEvent<?>> events(ChatResponse chunk) {
		List<ServerSentEvent<?>> events = new ArrayList<>();
		String text = chunk.getResults()
			.stream()
			.map(Generation::getOutput)
			.map((output) -> (output.getText() != null) ? output.getText() : "")
			.reduce("", String::concat);
		if (!text.isEmpty()) {
			events.add(ServerSentEvent.builder(text).build());
		}
		Usage usage = chunk.getMetadata().getUsage();
		if (usage.getTotalTokens() > 0) {
			events.add(ServerSentEvent.builder(new TokenUsage(usage.getPromptTokens(), usage.getCompletionTokens()))
				.event("usage")
				.build());
		}
		return events;
	}

	record ChatRequest(String message) {

		String requireMessage() {
			if (this.message == null || this.message.isBlank()) {
				throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "message must not be blank");
			}
			return this.message;
		}

	}

	record ChatAnswer(@Nullable String answer, Integer promptTokens, Integer completionTokens) {
	}

	record TokenUsage(Integer promptTokens, Integer completionTokens) {
	}

}
