package dev.metering.benchmarks;

import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * A model that answers at once with 12 prompt and 5 completion tokens, as
 * {@value #MODEL}, so that only the client and its advisors are measured. Its responses
 * are built once: what a call or a stream allocates is the client's and the advisors',
 * not the model's.
 */
final class InstantChatModel implements ChatModel {

	static final long TOKENS_PER_CALL = 17;

	/** The model the responses name, which prices a call on a credits meter. */
	static final String MODEL = "gpt-4o-mini-2024-07-18";

	private final ChatResponse response = response("Paris", new DefaultUsage(12, 5));

	private final Flux<ChatResponse> stream;

	/** A model whose streams answer in one chunk. */
	InstantChatModel() {
		this(1);
	}

	/**
	 * @param chunks how many chunks a stream answers in; the last one carries the usage
	 */
	InstantChatModel(int chunks) {
		List<ChatResponse> responses = new ArrayList<>(chunks);
		for (int i = 1; i < chunks; i++) {
			responses.add(response("word ", new DefaultUsage(0, 0)));
		}
		responses.add(response("Paris", new DefaultUsage(12, 5)));
		this.stream = Flux.fromIterable(responses);
	}

	private static ChatResponse response(String text, DefaultUsage usage) {
		return ChatResponse.builder()
			.generations(List.of(new Generation(new AssistantMessage(text))))
			.metadata(ChatResponseMetadata.builder().model(MODEL).usage(usage).build())
			.build();
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		return this.response;
	}

	@Override
	public Flux<ChatResponse> stream(Prompt prompt) {
		return this.stream;
	}

}
