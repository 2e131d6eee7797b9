package dev.metering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ChatClient calls through the real OpenAI starter against a WireMock OpenAI, metered by
 * the auto-configured advisor onto the local meter.
 */
@SpringBootTest(classes = { MeteringTestApplication.class, ChatClientMeteringTests.CurrentUser.class }, properties = {
		"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
		"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.small.limits.aiTokens=100",
		"metering.plans.big.limits.aiTokens=1000000", "metering.default-plan=big",
		"metering.accounts.org_plain.customer-id=cus_plain", "metering.accounts.org_response.customer-id=cus_response",
		"metering.accounts.org_stream.customer-id=cus_stream", "metering.accounts.org_tools.customer-id=cus_tools",
		"metering.accounts.org_user.customer-id=cus_user", "metering.accounts.org_cancel.customer-id=cus_cancel",
		"metering.accounts.org_error.customer-id=cus_error", "metering.accounts.org_limited.customer-id=cus_limited",
		"metering.accounts.org_limited.plan=small", "metering.accounts.org_parallel.customer-id=cus_parallel",
		"metering.accounts.org_parallel.plan=small", "metering.delivery.flush-interval=50ms" })
class ChatClientMeteringTests extends OpenAiWireMockTests {

	ChatClient chatClient;

	@BeforeEach
	void setUp() {
		this.chatClient = this.chatClientBuilder.build();
	}

	@Test
	void plainCallBillsPromptAndCompletionTokens() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("Hello there", 12, 5)));

		String answer = this.chatClient.prompt("Hi")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_plain"))
			.call()
			.content();

		assertThat(answer).isEqualTo("Hello there");
		assertThat(billed("cus_plain")).isEqualTo(17);
		assertThat(used("org_plain")).isEqualTo(17);
	}

	@Test
	void streamBillsTheUsageOfItsLastChunk() {
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.willReturn(OpenAiStub.stream(List.of("Once ", "upon ", "a time"), 30, 9)));

		List<String> pieces = this.chatClient.prompt("Tell me a story")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_stream"))
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(String.join("", pieces)).isEqualTo("Once upon a time");
		assertThat(billed("cus_stream")).isEqualTo(39);
	}

	@Test
	void everyRoundOfAToolCallingConversationIsBilled() {
		openAi.stubFor(OpenAiStub.completions()
			.inScenario("tools")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(OpenAiStub.toolCall("weather", "{\"city\":\"Paris\"}", 20, 10))
			.willSetStateTo("answered"));
		openAi.stubFor(OpenAiStub.completions()
			.inScenario("tools")
			.whenScenarioStateIs("answered")
			.willReturn(OpenAiStub.answer("It is sunny in Paris", 40, 8)));

		String answer = this.chatClient.prompt("Weather in Paris?")
			.tools(new WeatherTools())
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_tools"))
			.call()
			.content();

		assertThat(answer).isEqualTo("It is sunny in Paris");
		assertThat(OpenAiStub.requestCount(openAi)).isEqualTo(2);
		assertThat(billed("cus_tools")).isEqualTo(20 + 10 + 40 + 8);
	}

	@Test
	void streamedToolCallingRoundsAreBilledToTheResolvedSubjectEvenOnWorkerThreads() {
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.inScenario("streamed tools")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(OpenAiStub.streamedToolCall("weather", "{\"city\":\"Oslo\"}", 21, 11))
			.willSetStateTo("answered"));
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.inScenario("streamed tools")
			.whenScenarioStateIs("answered")
			.willReturn(OpenAiStub.stream(List.of("Sunny ", "in Oslo"), 45, 6)));

		CurrentUser.ORGANIZATION.set("org_user");
		List<String> pieces;
		try {
			pieces = this.chatClient.prompt("Weather in Oslo?")
				.tools(new WeatherTools())
				.stream()
				.content()
				.collectList()
				.block(Duration.ofSeconds(10));
		}
		finally {
			CurrentUser.ORGANIZATION.remove();
		}

		assertThat(String.join("", pieces)).isEqualTo("Sunny in Oslo");
		assertThat(OpenAiStub.requestCount(openAi)).isEqualTo(2);
		assertThat(billed("cus_user")).isEqualTo(21 + 11 + 45 + 6);
	}

	@Test
	void streamCancelledBeforeItsUsageChunkIsBilledAnEstimateNotZero() {
		openAi.stubFor(OpenAiStub.streamedCompletions()
			.willReturn(OpenAiStub.stream(List.of("alpha ", "beta ", "gamma ", "delta ", "epsilon"), 1000, 1000)
				.withChunkedDribbleDelay(40, 4000)));

		String first = this.chatClient.prompt("Write a long poem about the sea")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_cancel"))
			.stream()
			.content()
			.blockFirst(Duration.ofSeconds(10));

		assertThat(first).isEqualTo("alpha ");
		long billed = billed("cus_cancel");
		assertThat(billed).as("estimated from prompt and text seen").isPositive().isLessThan(2000);
		assertThat(used("org_cancel")).isEqualTo(billed);
	}

	@Test
	void modelErrorBillsNothing() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.serverError()));

		assertThatThrownBy(() -> this.chatClient.prompt("Hi")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_error"))
			.call()
			.content()).isNotInstanceOf(UsageLimitExceededException.class);

		assertThat(billed("cus_error")).isZero();
		assertThat(used("org_error")).isZero();
	}

	@Test
	void callAfterTheLimitIsUsedUpIsRefusedBeforeTheModelIsCalled() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5)));
		for (int i = 1; i <= 6; i++) {
			callAs("org_limited");
		}
		assertThat(used("org_limited")).isEqualTo(102);

		assertThatThrownBy(() -> callAs("org_limited")).isInstanceOfSatisfying(UsageLimitExceededException.class,
				(ex) -> {
					assertThat(ex.getLimitKey()).isEqualTo("aiTokens");
					assertThat(ex.getLimit()).isEqualTo(100);
					assertThat(ex.getUsed()).isEqualTo(102);
					assertThat(ex.getPeriodEnd())
						.isEqualTo(this.billingClient.getUsageStatus("org_limited", "aiTokens").periodEnd());
				});
		assertThat(OpenAiStub.requestCount(openAi)).isEqualTo(6);
		assertThat(billed("cus_limited")).isEqualTo(102);
	}

	@Test
	void parallelCallsCannotOvershootTheLimitByMoreThanOneCall() throws Exception {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5).withFixedDelay(100)));
		callAs("org_parallel");

		ExecutorService pool = Executors.newFixedThreadPool(50);
		List<Future<Boolean>> admitted = new ArrayList<>();
		try {
			for (int i = 0; i < 50; i++) {
				admitted.add(pool.submit(() -> {
					try {
						callAs("org_parallel");
						return true;
					}
					catch (UsageLimitExceededException ex) {
						return false;
					}
				}));
			}
			long admittedCount = 0;
			for (Future<Boolean> result : admitted) {
				admittedCount += result.get() ? 1 : 0;
			}
			long used = used("org_parallel");
			assertThat(used).isEqualTo(17 * (admittedCount + 1));
			assertThat(used).isLessThanOrEqualTo(100 + 17);
			assertThat(OpenAiStub.requestCount(openAi)).isEqualTo((int) admittedCount + 1);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void callWithoutAnyOrganizationIsRefusedBeforeTheModelIsCalled() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5)));

		assertThatThrownBy(() -> this.chatClient.prompt("Hi").call().content())
			.isInstanceOf(MissingBillingAccountException.class)
			.hasMessage("No billing account found. Please subscribe first.");
		assertThatThrownBy(() -> callAs("org_unknown")).isInstanceOfSatisfying(MissingBillingAccountException.class,
				(ex) -> assertThat(ex.getReferenceId()).isEqualTo("org_unknown"));
		assertThat(OpenAiStub.requestCount(openAi)).isZero();
	}

	@Test
	void chatResponseStillCarriesTheModelsUsage() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("Hello", 3, 4)));

		ChatResponse response = this.chatClient.prompt("Hi")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_response"))
			.call()
			.chatResponse();

		assertThat(response.getMetadata().getUsage().getTotalTokens()).isEqualTo(7);
	}

	private String callAs(String organization) {
		return this.chatClient.prompt("Hi")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	/**
	 * Names the organization of the current thread's user, as a security-backed resolver
	 * would.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class CurrentUser {

		static final ThreadLocal<String> ORGANIZATION = new ThreadLocal<>();

		@Bean
		BillingSubjectResolver currentUserOrganization() {
			return () -> Optional.ofNullable(ORGANIZATION.get()).map(BillingSubject::organization);
		}

	}

	static class WeatherTools {

		@Tool(description = "Current weather in a city")
		String weather(String city) {
			return "Sunny in " + city;
		}

	}

}
