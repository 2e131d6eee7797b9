package dev.metering.sample.reactive;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
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
 * echoes the question and reports token usage the way OpenAI does: in the response
 * metadata of a call, and in a last chunk of a stream that carries nothing but the usage.
 * Tokens are estimated as 1.3 per word.
 * <p>
 * Active when {@code spring.ai.model.chat=demo} (the sample's default), which also keeps
 * Spring AI's OpenAI model out; with {@code spring.ai.model.chat=openai} that one is
 * used.
 */
@Component
@ConditionalOnProperty(name = "spring.ai.model.chat", havingValue = DemoChatModel.NAME)
public class DemoChatModel implements ChatModel {

	/** The value of {@code spring.ai.model.chat} that selects this model. */
	public static final String NAME = "demo";

	/** Slow enough to watch a stream arrive word by word in {@code curl -N}. */
	private static final Duration WORD_DELAY = Duration.ofMillis(20);

	private static final int ECHOED_WORDS = 12;

	private static final Log logger = LogFactory.getLog(DemoChatModel.class);

	public DemoChatModel() {
		logger.info("Using the demo chat model; for OpenAI, set OPENAI_API_KEY and SAMPLE_CHAT_MODEL=openai");
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		String answer = answer(prompt);
		return new ChatResponse(List.of(new Generation(new AssistantMessage(answer))), usage(prompt, answer));
	}

	/** Streams the answer word by word, then a chunk with the usage and no text. */
	@Override
	public Flux<ChatResponse> stream(Prompt prompt) {
		String answer = answer(prompt);
		// each word with the space that follows it, so that the chunks add up to the
		// answer
		Flux<ChatResponse> words = Flux.fromArray(answer.split("(?<= )"))
			.delayElements(WORD_DELAY)
			.map((word) -> new ChatResponse(List.of(new Generation(new AssistantMessage(word)))));
		return words.concatWith(Flux.just(new ChatResponse(List.of(), usage(prompt, answer))));
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

	private static ChatResponseMetadata usage(Prompt prompt, String answer) {
		int promptTokens = prompt.getInstructions()
			.stream()
			.map(Message::getText)
			.mapToInt(DemoChatModel::tokens)
			.sum();
		return ChatResponseMetadata.builder().model(NAME).usage(new DefaultUsage(promptTokens, tokens(answer))).build();
	}

}
