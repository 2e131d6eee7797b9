package dev.metering;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.WebFilter;

import dev.metering.limits.BillingPeriods;
import dev.metering.limits.UsageLedger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter in a WebFlux application, through the real OpenAI starter and a Netty
 * server: refusals answer the problem details Spring MVC answers, for calls wrapped in a
 * {@link Mono} and for streams alike, and a {@link ReactiveBillingSubjectResolver} bills
 * each stream to the organization of its own request while all of them share Reactor's
 * threads.
 */
@SpringBootTest(classes = WebFluxMeteringTests.ReactiveChatApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=reactive", "spring.reactor.context-propagation=auto",
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000000",
				"metering.default-plan=free", "metering.delivery.flush-interval=50ms" })
class WebFluxMeteringTests extends OpenAiWireMockTests {

	/**
	 * Where the test's sign-in filter keeps the organization, as Spring Security keeps
	 * its context.
	 */
	static final String SIGNED_IN = "test.signed-in-organization";

	/** The request header that signs a request in, for the test's sign-in filter. */
	static final String ORGANIZATION_HEADER = "X-Organization";

	@LocalServerPort
	int port;

	@Autowired
	UsageLedger ledger;

	@Autowired
	BillingPeriods periods;

	@Test
	void aCallOverTheLimitAnswers429WithTheProblemDetailAndRetryAfter() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 10, 2)));
		useUpTheLimit("org_over_call");

		assertTheLimitProblem(client().get().uri("/chat").header(ORGANIZATION_HEADER, "org_over_call").exchange());
		assertThat(OpenAiStub.requestCount(openAi)).isZero();
	}

	@Test
	void aStreamOverTheLimitAnswers429BeforeItsFirstChunk() {
		openAi.stubFor(OpenAiStub.streamedCompletions().willReturn(OpenAiStub.stream(List.of("a", "b"), 10, 0, 2, 0)));
		useUpTheLimit("org_over_stream");

		assertTheLimitProblem(client().get()
			.uri("/stream")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.header(ORGANIZATION_HEADER, "org_over_stream")
			.exchange());
		assertThat(OpenAiStub.requestCount(openAi)).isZero();
	}

	/**
	 * The answer Spring MVC gives a used-up limit: 429, its problem detail and
	 * Retry-After.
	 */
	private static void assertTheLimitProblem(WebTestClient.ResponseSpec response) {
		response.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.value(HttpHeaders.RETRY_AFTER, (seconds) -> assertThat(Long.parseLong(seconds)).isPositive())
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(429)
			.jsonPath("$.type")
			.isEqualTo("urn:metering:usage-limit-exceeded")
			.jsonPath("$.limitKey")
			.isEqualTo("aiTokens")
			.jsonPath("$.limit")
			.isEqualTo(1000000)
			.jsonPath("$.used")
			.isEqualTo(1000000);
	}

	@Test
	void anOrganizationWithoutABillingAccountAnswers402ForACallAndForAStream() {
		client().get()
			.uri("/chat")
			.header(ORGANIZATION_HEADER, ReactiveChatApplication.WITHOUT_ACCOUNT)
			.exchange()
			.expectStatus()
			.isEqualTo(402)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:metering:missing-billing-account");
		client().get()
			.uri("/stream")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.header(ORGANIZATION_HEADER, ReactiveChatApplication.WITHOUT_ACCOUNT)
			.exchange()
			.expectStatus()
			.isEqualTo(402)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:metering:missing-billing-account");
		assertThat(OpenAiStub.requestCount(openAi)).isZero();
	}

	@Test
	void unavailableMeteringAnswers503WithRetryAfter() {
		client().get()
			.uri("/unavailable")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals(HttpHeaders.RETRY_AFTER, "5")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:metering:unavailable")
			.jsonPath("$.reason")
			.isEqualTo("the outbox is full");
	}

	@Test
	void aCallWrappedInAMonoBillsTheSignedInOrganization() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 10, 2)));

		client().get()
			.uri("/chat")
			.header(ORGANIZATION_HEADER, "org_mono")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.isEqualTo("ok");

		assertThat(billed("cus_org_mono")).isEqualTo(12);
	}

	@Test
	void theAdvisorParamOutranksTheReactiveResolver() {
		openAi.stubFor(OpenAiStub.streamedCompletions().willReturn(OpenAiStub.stream(List.of("a", "b"), 10, 0, 2, 0)));

		client().get()
			.uri("/stream?organization=org_named")
			.accept(MediaType.TEXT_EVENT_STREAM)
			.header(ORGANIZATION_HEADER, "org_signed_in")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBodyList(String.class)
			.contains("a", "b");

		assertThat(billed("cus_org_named")).isEqualTo(12);
		assertThat(used("org_signed_in")).isZero();
	}

	@Test
	void aStreamOutsideAnyWebRequestIsBilledToTheOrganizationItsSubscribersContextNames() {
		openAi.stubFor(OpenAiStub.streamedCompletions().willReturn(OpenAiStub.stream(List.of("a", "b"), 10, 0, 2, 0)));
		ChatClient chat = this.chatClientBuilder.build();

		List<String> pieces = chat.prompt("hello")
			.stream()
			.content()
			.contextWrite((context) -> context.put(SIGNED_IN, "org_subscriber"))
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(pieces).containsExactly("a", "b");
		assertThat(billed("cus_org_subscriber")).isEqualTo(12);
	}

	@Test
	void aThousandConcurrentStreamsOfFiftyOrganizationsAreEachBilledToTheirOwn() {
		// the chunks of every stream arrive on Netty's event loop threads, shared by all
		// streams
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.willReturn(OpenAiStub.stream(List.of("a", "b", "c"), 10, 0, 2, 0).withChunkedDribbleDelay(3, 30)));
		WebClient web = WebClient.create("http://localhost:" + this.port);

		List<String> answers = Flux.range(0, 1000)
			.flatMap((i) -> web.get()
				.uri("/stream")
				.accept(MediaType.TEXT_EVENT_STREAM)
				.header(ORGANIZATION_HEADER, "org_many_" + (i % 50))
				.retrieve()
				.bodyToFlux(String.class)
				.collectList()
				.map((chunks) -> String.join("", chunks)), 1000)
			.collectList()
			.block(Duration.ofSeconds(120));

		assertThat(answers).hasSize(1000).containsOnly("abc");
		Map<Integer, Long> billed = IntStream.range(0, 50)
			.boxed()
			.collect(java.util.stream.Collectors.toMap((org) -> org, (org) -> billed("cus_org_many_" + org)));
		// 20 streams of 12 tokens each
		assertThat(billed).allSatisfy((org, tokens) -> assertThat(tokens).as("org_many_" + org).isEqualTo(240));
		assertThat(IntStream.range(0, 50).mapToLong((org) -> used("org_many_" + org))).containsOnly(240L);
	}

	private void useUpTheLimit(String organization) {
		this.ledger.setUsed(organization, "aiTokens", this.periods.current("cus_" + organization), 1000000);
	}

	private WebTestClient client() {
		return WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(20))
			.build();
	}

	/**
	 * A WebFlux application whose users sign in with a header: the sign-in filter keeps
	 * the organization in the Reactor context, where a
	 * {@link ReactiveBillingSubjectResolver} reads it, as one reads Spring Security's
	 * {@code ReactiveSecurityContextHolder}.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ReactiveChatController.class)
	static class ReactiveChatApplication {

		static final String WITHOUT_ACCOUNT = "org_without_account";

		@Bean
		@Order(-100)
		WebFilter signIn() {
			return (exchange, chain) -> {
				String organization = exchange.getRequest().getHeaders().getFirst(ORGANIZATION_HEADER);
				return (organization != null)
						? chain.filter(exchange).contextWrite((context) -> context.put(SIGNED_IN, organization))
						: chain.filter(exchange);
			};
		}

		@Bean
		ReactiveBillingSubjectResolver signedInOrganization() {
			return () -> Mono.deferContextual((context) -> Mono
				.justOrEmpty(context.getOrEmpty(SIGNED_IN).map((id) -> BillingSubject.organization((String) id))));
		}

		/** Every organization's customer is {@code cus_} and its ID, but one's. */
		@Bean
		BillingAccountResolver accounts() {
			return (subject) -> subject.referenceId().equals(WITHOUT_ACCOUNT) ? Optional.empty()
					: Optional.of(new BillingAccount("cus_" + subject.referenceId(), null));
		}

	}

	@RestController
	static class ReactiveChatController {

		private final ChatClient chat;

		ReactiveChatController(ChatClient.Builder chat) {
			this.chat = chat.build();
		}

		/** A blocking call, wrapped as WebFlux applications wrap them. */
		@GetMapping("/chat")
		Mono<String> chat() {
			return Mono.fromCallable(() -> this.chat.prompt("hello").call().content())
				.subscribeOn(Schedulers.boundedElastic());
		}

		@GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
		Flux<String> stream(@RequestParam Optional<String> organization) {
			return this.chat.prompt("hello")
				.advisors((advisors) -> organization
					.ifPresent((id) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, id)))
				.stream()
				.content();
		}

		@GetMapping("/unavailable")
		Mono<String> unavailable() {
			return Mono.error(new MeteringUnavailableException("the outbox is full", Duration.ofSeconds(5)));
		}

	}

}
