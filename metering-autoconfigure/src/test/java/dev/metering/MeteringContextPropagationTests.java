package dev.metering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.task.AsyncTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The billed organization follows a call onto other threads and never leaks to another.
 */
@SpringBootTest(classes = MeteringTestApplication.class,
		properties = { "metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.accounts.org_0.customer-id=cus_0",
				"metering.accounts.org_1.customer-id=cus_1", "metering.accounts.org_2.customer-id=cus_2",
				"metering.accounts.org_3.customer-id=cus_3", "metering.accounts.org_stream.customer-id=cus_stream",
				"metering.accounts.org_async.customer-id=cus_async", "metering.delivery.flush-interval=50ms" })
class MeteringContextPropagationTests extends OpenAiWireMockTests {

	@Autowired
	@Qualifier("applicationTaskExecutor")
	AsyncTaskExecutor applicationTaskExecutor;

	@Test
	void concurrentRequestsForDifferentOrganizationsAreEachBilledToTheirOwn() throws Exception {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5).withFixedDelay(20)));
		ChatClient chatClient = this.chatClientBuilder.build();
		ExecutorService requests = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				BillingSubject organization = BillingSubject.organization("org_" + (i % 4));
				done.add(requests
					.submit(() -> MeteringContext.runAs(organization, () -> chatClient.prompt("Hi").call().content())));
			}
			for (Future<?> request : done) {
				request.get();
			}
			for (int org = 0; org < 4; org++) {
				assertThat(billed("cus_" + org)).as("org_" + org).isEqualTo(10 * 17);
			}
			// the pooled threads kept no organization once their requests ended
			Future<?> withoutContext = requests.submit(() -> chatClient.prompt("Hi").call().content());
			assertThatThrownBy(withoutContext::get).hasCauseInstanceOf(MissingBillingAccountException.class);
		}
		finally {
			requests.shutdownNow();
		}
	}

	@Test
	void streamSubscribedLaterOnAnotherThreadBillsTheOrganizationItWasCreatedFor() {
		openAi.stubFor(OpenAiStub.streamedCompletions().willReturn(OpenAiStub.stream(List.of("a", "b"), 10, 2)));
		ChatClient chatClient = this.chatClientBuilder.build();

		Flux<String> answer = MeteringContext.callAs(BillingSubject.organization("org_stream"),
				() -> chatClient.prompt("Hi").stream().content());
		List<String> pieces = answer.subscribeOn(Schedulers.parallel()).collectList().block(Duration.ofSeconds(10));

		assertThat(pieces).containsExactly("a", "b");
		assertThat(billed("cus_stream")).isEqualTo(12);
	}

	@Test
	void tasksOnTheApplicationExecutorBillTheSubmittingOrganization() throws Exception {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5)));
		ChatClient chatClient = this.chatClientBuilder.build();

		CompletableFuture<String> answer = MeteringContext.callAs(BillingSubject.organization("org_async"),
				() -> this.applicationTaskExecutor.submitCompletable(() -> chatClient.prompt("Hi").call().content()));

		assertThat(answer.get()).isEqualTo("ok");
		assertThat(billed("cus_async")).isEqualTo(17);
	}

}
