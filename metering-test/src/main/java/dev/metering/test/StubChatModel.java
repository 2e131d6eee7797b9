package dev.metering.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * A {@link ChatModel} that answers every prompt with a chosen reply and reports chosen
 * token usage, as a real model does: in the response of a call, and in the last chunk of
 * a stream, which streams the reply word by word. Without {@link #withUsage} it reports
 * no usage, and the starter bills an estimate. It keeps the prompts it was sent. <pre>
 * &#64;Bean
 * StubChatModel chatModel() {
 *     return StubChatModel.replying("Hi").withUsage(12, 5);
 * }
 * </pre> Its settings may change between tests; a call answers with those set when it
 * starts.
 */
public final class StubChatModel implements ChatModel {

	private static final String MODEL = "stub";

	private final List<Prompt> prompts = new CopyOnWriteArrayList<>();

	private volatile Answer answer;

	private StubChatModel(String reply) {
		this.answer = new Answer(requireReply(reply), null);
	}

	/**
	 * A model that answers {@code reply} and reports no usage until {@link #withUsage} is
	 * set.
	 */
	public static StubChatModel replying(String reply) {
		return new StubChatModel(reply);
	}

	/** Answers {@code reply} from now on. */
	public synchronized StubChatModel withReply(String reply) {
		this.answer = new Answer(requireReply(reply), this.answer.usage());
		return this;
	}

	/**
	 * Reports this usage from now on: prompt tokens and completion tokens, each at least
	 * 0.
	 */
	public synchronized StubChatModel withUsage(int promptTokens, int completionTokens) {
		requireNotNegative(promptTokens, "promptTokens");
		requireNotNegative(completionTokens, "completionTokens");
		this.answer = new Answer(this.answer.reply(), new DefaultUsage(promptTokens, completionTokens));
		return this;
	}

	/**
	 * Reports no usage from now on, as some models and proxies do: the starter bills an
	 * estimate.
	 */
	public synchronized StubChatModel withoutUsage() {
		this.answer = new Answer(this.answer.reply(), null);
		return this;
	}

	/** The prompts sent to this model so far, called or streamed, in order. */
	public List<Prompt> prompts() {
		return List.copyOf(this.prompts);
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		this.prompts.add(prompt);
		Answer current = this.answer;
		return new ChatResponse(List.of(generation(current.reply(), "STOP")), current.metadata());
	}

	@Override
	public Flux<ChatResponse> stream(Prompt prompt) {
		return Flux.defer(() -> {
			this.prompts.add(prompt);
			Answer current = this.answer;
			ChatResponse last = new ChatResponse(List.of(generation("", "STOP")), current.metadata());
			return Flux.fromIterable(words(current.reply()))
				.map((word) -> new ChatResponse(List.of(generation(word, null))))
				.concatWith(Flux.just(last));
		});
	}

	/** The reply in words, each with the space that follows it. */
	private static List<String> words(String reply) {
		List<String> words = new ArrayList<>();
		int start = 0;
		for (int space = reply.indexOf(' '); space >= 0; space = reply.indexOf(' ', start)) {
			words.add(reply.substring(start, space + 1));
			start = space + 1;
		}
		if (start < reply.length()) {
			words.add(reply.substring(start));
		}
		return words;
	}

	private static Generation generation(String text, @Nullable String finishReason) {
		ChatGenerationMetadata metadata = (finishReason != null)
				? ChatGenerationMetadata.builder().finishReason(finishReason).build() : ChatGenerationMetadata.NULL;
		return new Generation(new AssistantMessage(text), metadata);
	}

	private static String requireReply(String reply) {
		if (reply == null) {
			throw new IllegalArgumentException("reply must not be null");
		}
		return reply;
	}

	private static void requireNotNegative(int tokens, String argument) {
		if (tokens < 0) {
			throw new IllegalArgumentException(argument + " must not be negative, was " + tokens);
		}
	}

	/**
	 * What a call answers: the reply, and the usage reported, or {@code null} for none.
	 */
	private record Answer(String reply, @Nullable DefaultUsage usage) {

		ChatResponseMetadata metadata() {
			ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder().model(MODEL);
			if (this.usage != null) {
				metadata.usage(this.usage);
			}
			return metadata.build();
		}

	}

}
