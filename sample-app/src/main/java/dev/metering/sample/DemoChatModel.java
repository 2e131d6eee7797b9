package dev.metering.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * A stand-in for a real model, so that the demo runs without API keys or services. It
 * echoes the question and reports token usage the way a real model does: in the response
 * metadata of a call, and in the last chunk of a stream. Tokens are estimated as 1.3 per
 * word.
 * <p>
 * Active when {@code spring.ai.model.chat=demo} (the sample's default); with
 * {@code spring.ai.model.chat=openai} the OpenAI model is used instead.
 */
@Component
@ConditionalOnProperty(name = "spring.ai.model.chat", havingValue = DemoChatModel.NAME)
public class DemoChatModel implements ChatModel {

	/** The value of {@code spring.ai.model.chat} that selects this model. */
	public static final String NAME = "demo";

	private static final Duration CHUNK_DELAY = Duration.ofMillis(25);

	private static final int ECHOED_WORDS = 12;

	private static final Log logger = LogFactory.getLog(DemoChatModel.class);

	public DemoChatModel() {
		logger.info("Using the demo chat model; for OpenAI, set OPENAI_API_KEY and SAMPLE_CHAT_MODEL=openai");
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		String answer = answer(prompt);
		return new ChatResponse(List.of(generation(answer, "STOP")), metadata(prompt, answer));
	}

	/** Streams the answer word by word, then a last, empty chunk with the usage. */
	@Override
	public Flux<ChatResponse> stream(Prompt prompt) {
		String answer = answer(prompt);
		Flux<ChatResponse> words = Flux.fromIterable(chunks(answer))
			.delayElements(CHUNK_DELAY)
			.map((chunk) -> new ChatResponse(List.of(generation(chunk, null))));
		ChatResponse last = new ChatResponse(List.of(generation("", "STOP")), metadata(prompt, answer));
		return words.concatWith(Flux.just(last));
	}

	/** The tokens of a text: 1.3 per word, rounded up. */
	public static int tokens(String text) {
		if (text == null || text.isBlank()) {
			return 0;
		}
		return (int) Math.ceil(text.trim().split("\\s+").length * 1.3);
	}

	private static String answer(Prompt prompt) {
		String[] words = Objects.requireNonNullElse(prompt.getUserMessage().getText(), "").trim().split("\\s+");
		String echo = String.join(" ", Arrays.copyOf(words, Math.min(words.length, ECHOED_WORDS)))
				+ ((words.length > ECHOED_WORDS) ? " ..." : "");
		return "This is the demo model answering \"" + echo + "\". Set OPENAI_API_KEY and "
				+ "SAMPLE_CHAT_MODEL=openai to talk to a real model; either way, every token of this "
				+ "exchange is billed to your organization.";
	}

	/** The answer in words, each with the space that follows it. */
	private static List<String> chunks(String answer) {
		List<String> chunks = new ArrayList<>();
		int start = 0;
		for (int space = answer.indexOf(' '); space >= 0; space = answer.indexOf(' ', start)) {
			chunks.add(answer.substring(start, space + 1));
			start = space + 1;
		}
		chunks.add(answer.substring(start));
		return chunks;
	}

	private static Generation generation(String text, @Nullable String finishReason) {
		ChatGenerationMetadata metadata = (finishReason != null)
				? ChatGenerationMetadata.builder().finishReason(finishReason).build() : ChatGenerationMetadata.NULL;
		return new Generation(new AssistantMessage(text), metadata);
	}

	private static ChatResponseMetadata metadata(Prompt prompt, String answer) {
		int promptTokens = prompt.getInstructions()
			.stream()
			.map(Message::getText)
			.mapToInt(DemoChatModel::tokens)
			.sum();
		return ChatResponseMetadata.builder().model(NAME).usage(new DefaultUsage(promptTokens, tokens(answer))).build();
	}

}
