package dev.metering;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import dev.metering.provider.local.LocalMeterProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @MeteredUsage} on a service that calls a ChatClient backed by a WireMock OpenAI.
 */
@SpringBootTest(classes = { MeteringTestApplication.class, MeteredUsageTests.Services.class },
		properties = { "metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.meters.api-calls.event-name=api_calls",
				"metering.meters.api-calls.meter-id=mtr_calls", "metering.meters.api-calls.tokens=none",
				"metering.accounts.org_sum.customer-id=cus_sum", "metering.accounts.org_fail.customer-id=cus_fail",
				"metering.accounts.org_qty.customer-id=cus_qty", "metering.accounts.org_ctx.customer-id=cus_ctx",
				"metering.accounts.org_qctx.customer-id=cus_qctx", "metering.accounts.org_first.customer-id=cus_first",
				"metering.accounts.org_second.customer-id=cus_second", "metering.delivery.flush-interval=50ms" })
class MeteredUsageTests extends OpenAiWireMockTests {

	@Autowired
	Assistant assistant;

	@Autowired
	LocalMeterProvider localMeter;

	@Test
	void tokensOfAllCallsInsideAreRecordedAsOneEvent() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5)));

		this.assistant.askTwice("org_sum");

		assertThat(billed("cus_sum")).isEqualTo(34);
		assertThat(this.localMeter.eventCount("ai_tokens", "cus_sum")).isOne();
		assertThat(used("org_sum")).isEqualTo(34);
	}

	@Test
	void tokensAlreadySpentAreBilledWhenTheMethodThrows() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5)));

		assertThatIllegalStateException().isThrownBy(() -> this.assistant.askThenFail("org_fail"));

		assertThat(billed("cus_fail")).isEqualTo(17);
	}

	@Test
	void quantityExpressionIsRecordedOnTheNamedMeter() {
		List<String> done = this.assistant.process("org_qty", List.of("a", "b", "c"));

		assertThat(done).hasSize(3);
		assertThat(billed("mtr_calls", "cus_qty")).isEqualTo(3);
		assertThat(billed("mtr_ai", "cus_qty")).isZero();
	}

	@Test
	void quantityIsNotRecordedWhenTheMethodThrows() {
		long before = billed("mtr_calls", "cus_qty");

		assertThatIllegalStateException().isThrownBy(() -> this.assistant.processAndFail("org_qty"));

		assertThat(billed("mtr_calls", "cus_qty")).isEqualTo(before);
	}

	@Test
	void organizationComesFromTheContextWhenTheAnnotationNamesNone() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5)));

		MeteringContext.runAs(BillingSubject.organization("org_ctx"), this.assistant::askFromContext);

		assertThat(billed("cus_ctx")).isEqualTo(17);
	}

	@Test
	void aQuantityScopeBillsTheOrganizationOfTheContextItOpenedIn() {
		MeteringContext.runAs(BillingSubject.organization("org_qctx"), this.assistant::countOne);

		assertThat(billed("mtr_calls", "cus_qctx")).isEqualTo(1);
	}

	@Test
	void eachCallInsideAScopeIsBilledToTheOrganizationItWasAdmittedFor() {
		openAi.stubFor(OpenAiStub.completions().willReturn(OpenAiStub.answer("ok", 12, 5)));

		this.assistant.askForTwoOrganizations();

		assertThat(billed("cus_first")).isEqualTo(17);
		assertThat(billed("cus_second")).isEqualTo(34);
		assertThat(used("org_first")).isEqualTo(17);
		assertThat(used("org_second")).isEqualTo(34);
	}

	@Test
	void expressionsThatReachBeyondTheArgumentsAreRefusedBeforeAnythingRuns() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.assistant.typeReference("org_sum"))
			.withMessageContaining("type references (T(...)) are not allowed");
		assertThatIllegalArgumentException().isThrownBy(() -> this.assistant.beanReference("org_sum"))
			.withMessageContaining("bean references (@...) are not allowed");
		assertThatIllegalArgumentException().isThrownBy(() -> this.assistant.methodCall("org_sum"))
			.withMessageContaining("method calls other than size(), length() and isEmpty() are not allowed");
		assertThat(this.assistant.runs).isZero();
		assertThat(OpenAiStub.requestCount(openAi)).isZero();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Services {

		@Bean
		Assistant assistant(ChatClient.Builder builder) {
			return new Assistant(builder.build());
		}

	}

	static class Assistant {

		private final ChatClient chatClient;

		int runs;

		Assistant(ChatClient chatClient) {
			this.chatClient = chatClient;
		}

		@MeteredUsage(organization = "#orgId")
		public void askTwice(String orgId) {
			this.chatClient.prompt("one").call().content();
			this.chatClient.prompt("two").call().content();
		}

		@MeteredUsage(organization = "#orgId")
		public void askThenFail(String orgId) {
			this.chatClient.prompt("one").call().content();
			throw new IllegalStateException("failed after the model answered");
		}

		@MeteredUsage(value = "api-calls", organization = "#orgId", quantity = "#items.size()")
		public List<String> process(String orgId, List<String> items) {
			return items;
		}

		@MeteredUsage(value = "api-calls", organization = "#orgId", quantity = "99")
		public void processAndFail(String orgId) {
			throw new IllegalStateException("failed");
		}

		@MeteredUsage
		public void askFromContext() {
			this.chatClient.prompt("one").call().content();
		}

		@MeteredUsage(value = "api-calls", quantity = "1")
		public void countOne() {
			this.runs++;
		}

		@MeteredUsage
		public void askForTwoOrganizations() {
			this.chatClient.prompt("one")
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_first"))
				.call()
				.content();
			this.chatClient.prompt("two")
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_second"))
				.call()
				.content();
			this.chatClient.prompt("three")
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_second"))
				.call()
				.content();
		}

		@MeteredUsage(organization = "T(java.lang.System).getProperty('user.name')")
		public void typeReference(String orgId) {
			this.runs++;
		}

		@MeteredUsage(organization = "@billingClient")
		public void beanReference(String orgId) {
			this.runs++;
		}

		@MeteredUsage(value = "api-calls", organization = "#orgId", quantity = "#orgId.getBytes().length")
		public void methodCall(String orgId) {
			this.runs++;
		}

	}

}
