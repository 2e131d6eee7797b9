package dev.metering.sample.reactive;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Chat endpoints. Nothing here mentions billing: the metering starter adds its advisor to
 * the injected {@link ChatClient.Builder}, which checks the plan limit before each call
 * and bills the tokens after it, to the organization of the logged-in user.
 */
@RestController
@RequestMapping("/api/chat")
class ChatController {

	/**
	 * The instructions that come before each question; the model bills their tokens too.
	 */
	static final String SYSTEM = "You are a helpful assistant. Answer briefly.";

	private final ChatClient chatClient;

	ChatController(ChatClient.Builder chatClientBuilder) {
		this.chatClient = chatClientBuilder.defaultSystem(SYSTEM).build();
	}

	/**
	 * One answer. {@code call()} blocks until the model has answered, so it runs on a
	 * thread that may block, never on the server's event loop.
	 */
	@PostMapping
	Mono<ChatAnswer> chat(@RequestBody ChatRequest request) {
		String message = request.requireMessage();
		return Mono.fromCallable(() -> answer(message)).subscribeOn(Schedulers.boundedElastic());
	}

	/** The answer as server-sent events, as the model writes it. */
	@PostMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Flux<String> stream(@RequestBody ChatRequest request) {
		return this.chatClient.prompt().user(request.requireMessage()).stream().content();
	}

	private ChatAnswer answer(String message) {
		ChatResponse response = this.chatClient.prompt().user(message).call().chatResponse();
		if (response == null || response.getResult() == null) {
			throw new ResponseStatusException(HttpStatus.BAD_GATEWAY, "The model gave no answer");
		}
		Usage usage = response.getMetadata().getUsage();
		return new ChatAnswer(response.getResult().getOutput().getText(), usage.getPromptTokens(),
				usage.getCompletionTokens());
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

}
