package dev.metering.test;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The stub answers as a real model does: the reply and usage of a call, the reply word by
 * word and the usage in the last chunk of a stream.
 */
class StubChatModelTests {

	@Test
	void aCallAnswersTheReplyWithTheUsageChosen() {
		StubChatModel model = StubChatModel.replying("Hi there").withUsage(12, 5);

		ChatResponse response = model.call(new Prompt("Hello?"));

		assertThat(response.getResult().getOutput().getText()).isEqualTo("Hi there");
		assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("STOP");
		Usage usage = response.getMetadata().getUsage();
		assertThat(usage.getPromptTokens()).isEqualTo(12);
		assertThat(usage.getCompletionTokens()).isEqualTo(5);
	}

	@Test
	void aStreamSendsTheReplyWordByWordAndTheUsageInItsLastChunk() {
		StubChatModel model = StubChatModel.replying("Once upon a time").withUsage(30, 9);

		List<ChatResponse> chunks = model.stream(new Prompt("A story?")).collectList().block(Duration.ofSeconds(5));

		assertThat(chunks).extracting((chunk) -> chunk.getResult().getOutput().getText())
			.containsExactly("Once ", "upon ", "a ", "time", "");
		assertThat(chunks.subList(0, 4))
			.allSatisfy((chunk) -> assertThat(chunk.getMetadata().getUsage().getTotalTokens()).isZero());
		Usage usage = chunks.get(4).getMetadata().getUsage();
		assertThat(usage.getPromptTokens()).isEqualTo(30);
		assertThat(usage.getCompletionTokens()).isEqualTo(9);
	}

	@Test
	void withoutUsageItReportsNone() {
		StubChatModel model = StubChatModel.replying("Hi").withUsage(12, 5).withoutUsage();

		assertThat(model.call(new Prompt("Hello?")).getMetadata().getUsage().getTotalTokens()).isZero();
		assertThat(model.stream(new Prompt("Hello?")).collectList().block(Duration.ofSeconds(5)))
			.allSatisfy((chunk) -> assertThat(chunk.getMetadata().getUsage().getTotalTokens()).isZero());
	}

	@Test
	void settingsChangedLaterApplyToTheNextCall() {
		StubChatModel model = StubChatModel.replying("Hi").withUsage(12, 5);
		model.call(new Prompt("first"));

		model.withReply("Bye").withUsage(1, 2);
		ChatResponse response = model.call(new Prompt("second"));

		assertThat(response.getResult().getOutput().getText()).isEqualTo("Bye");
		assertThat(response.getMetadata().getUsage().getTotalTokens()).isEqualTo(3);
	}

	@Test
	void itKeepsThePromptsItWasSentCalledOrStreamed() {
		StubChatModel model = StubChatModel.replying("Hi");
		model.call(new Prompt("called"));
		model.stream(new Prompt("streamed")).blockLast(Duration.ofSeconds(5));

		assertThat(model.prompts()).extracting(Prompt::getContents).containsExactly("called", "streamed");
	}

	@Test
	void aStreamNotSubscribedToWasNotSent() {
		StubChatModel model = StubChatModel.replying("Hi");
		model.stream(new Prompt("never subscribed"));

		assertThat(model.prompts()).isEmpty();
	}

	@Test
	void badSettingsAreRefusedWithTheirName() {
		assertThatIllegalArgumentException().isThrownBy(() -> StubChatModel.replying(null))
			.withMessage("reply must not be null");
		StubChatModel model = StubChatModel.replying("Hi").withUsage(12, 5);
		assertThatIllegalArgumentException().isThrownBy(() -> model.withUsage(-1, 5))
			.withMessage("promptTokens must not be negative, was -1");
		assertThatIllegalArgumentException().isThrownBy(() -> model.withUsage(1, -5))
			.withMessage("completionTokens must not be negative, was -5");

		assertThat(model.call(new Prompt("still?")).getMetadata().getUsage().getTotalTokens()).isEqualTo(17);
	}

}
