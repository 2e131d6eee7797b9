package dev.metering.sample.reactive;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The sample end to end over HTTP, on its Netty server with its demo model and in-memory
 * metering: streams and plain calls are billed, to the token, to the organization of the
 * logged-in user, and refused with the problem detail once the plan's limit is used up.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class ReactiveChatBillingTests {

	/** 800 words, 1,040 tokens: two of these take bob's organization over its 2,000. */
	private static final String LONG_QUESTION = "token ".repeat(800).trim();

	@Autowired
	private WebTestClient client;

	/** The demo model, watched: a refused call must not reach it. */
	@MockitoSpyBean
	private DemoChatModel model;

	@BeforeEach
	void forgetEarlierCalls() {
		clearInvocations(this.model);
	}

	@Test
	void bobStreamsUntilHisLimitIsUsedUpAndIsThenRefusedWith429BeforeAnyChunk() {
		Usage usage = usage("bob");
		assertThat(usage.organization()).isEqualTo("org_globex");
		assertThat(usage.limit()).isEqualTo(2000);
		for (int streams = 0; usage.used() < usage.limit(); streams++) {
			assertThat(streams).as("streams before the limit is reached").isLessThan(3);
			String answer = streamedAnswer("bob", LONG_QUESTION);
			assertThat(answer).startsWith("This is the demo model answering \"token token");
			Usage after = usage("bob");
			assertThat(after.used()).isEqualTo(usage.used() + tokensOf(LONG_QUESTION, answer));
			usage = after;
		}
		clearInvocations(this.model);

		Instant refusedFrom = Instant.now();
		stream("bob", "One more, please").expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.value(HttpHeaders.RETRY_AFTER, secondsUntil(usage.periodEnd(), refusedFrom))
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(429)
			.jsonPath("$.type")
			.isEqualTo("urn:metering:usage-limit-exceeded")
			.jsonPath("$.limitKey")
			.isEqualTo("aiTokens")
			.jsonPath("$.limit")
			.isEqualTo(2000)
			.jsonPath("$.used")
			.isEqualTo(usage.used())
			.jsonPath("$.periodEnd")
			.isEqualTo(usage.periodEnd().toString());
		chat("bob", "And a plain one?").expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:metering:usage-limit-exceeded");

		verify(this.model, never()).stream(any(Prompt.class));
		verify(this.model, never()).call(any(Prompt.class));
		assertThat(usage("bob").used()).isEqualTo(usage.used());
	}

	@Test
	void alicesPlainAndStreamedChatsAreBilledExactlyToHerOrganizationAndNotToBobs() {
		Usage acmeBefore = usage("alice");
		Usage globexBefore = usage("bob");
		assertThat(acmeBefore.organization()).isEqualTo("org_acme");

		Answer answer = chat("alice", "What is usage-based billing?").expectStatus()
			.isOk()
			.expectBody(Answer.class)
			.returnResult()
			.getResponseBody();
		assertThat(answer.answer()).contains("What is usage-based billing?");
		assertThat(answer.promptTokens()).isEqualTo(tokensOf("What is usage-based billing?", ""));
		assertThat(answer.completionTokens()).isEqualTo(DemoChatModel.tokens(answer.answer()));
		long called = answer.promptTokens() + answer.completionTokens();
		assertThat(usage("alice").used()).isEqualTo(acmeBefore.used() + called);

		String streamed = streamedAnswer("alice", "And how is a stream billed?");
		assertThat(streamed).contains("And how is a stream billed?");
		long streamedTokens = tokensOf("And how is a stream billed?", streamed);
		assertThat(usage("alice").used()).isEqualTo(acmeBefore.used() + called + streamedTokens);

		assertThat(usage("bob").used()).isEqualTo(globexBefore.used());
		verify(this.model).call(any(Prompt.class));
		verify(this.model).stream(any(Prompt.class));
	}

	@Test
	void requestsWithoutValidCredentialsAreUnauthorizedAndBillNothing() {
		Usage acmeBefore = usage("alice");
		Usage globexBefore = usage("bob");

		this.client.post()
			.uri("/api/chat/stream")
			.contentType(MediaType.APPLICATION_JSON)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.bodyValue(Map.of("message", "hello"))
			.exchange()
			.expectStatus()
			.isUnauthorized();
		this.client.post()
			.uri("/api/chat")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("message", "hello"))
			.exchange()
			.expectStatus()
			.isUnauthorized();
		this.client.post()
			.uri("/api/chat/stream")
			.headers((headers) -> headers.setBasicAuth("alice", "wrong"))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("message", "hello"))
			.exchange()
			.expectStatus()
			.isUnauthorized();
		this.client.get().uri("/api/usage").exchange().expectStatus().isUnauthorized();

		verify(this.model, never()).stream(any(Prompt.class));
		verify(this.model, never()).call(any(Prompt.class));
		assertThat(usage("alice").used()).isEqualTo(acmeBefore.used());
		assertThat(usage("bob").used()).isEqualTo(globexBefore.used());
	}

	/**
	 * The tokens the demo model reports for a question and its answer, with the
	 * instructions.
	 */
	private static long tokensOf(String question, String answer) {
		return DemoChatModel.tokens(ChatController.SYSTEM) + DemoChatModel.tokens(question)
				+ DemoChatModel.tokens(answer);
	}

	/**
	 * A {@code Retry-After} of the whole seconds from the refusal to the period's end.
	 */
	private static Consumer<String> secondsUntil(Instant periodEnd, Instant refusedFrom) {
		return (seconds) -> assertThat(Long.parseLong(seconds)).isBetween(
				Duration.between(Instant.now(), periodEnd).getSeconds(),
				Duration.between(refusedFrom, periodEnd).getSeconds() + 1);
	}

	private String streamedAnswer(String user, String message) {
		List<String> chunks = stream(user, message).expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.expectBodyList(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(chunks).as("an answer in many chunks").hasSizeGreaterThan(10);
		return String.join("", chunks);
	}

	private WebTestClient.ResponseSpec stream(String user, String message) {
		return this.client.post()
			.uri("/api/chat/stream")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.bodyValue(Map.of("message", message))
			.exchange();
	}

	private WebTestClient.ResponseSpec chat(String user, String message) {
		return this.client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("message", message))
			.exchange();
	}

	private Usage usage(String user) {
		return this.client.get()
			.uri("/api/usage")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Usage.class)
			.returnResult()
			.getResponseBody();
	}

	record Usage(String organization, String plan, long used, Long limit, Instant periodEnd) {
	}

	record Answer(String answer, int promptTokens, int completionTokens) {
	}

}
