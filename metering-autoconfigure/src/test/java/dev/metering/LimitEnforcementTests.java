package dev.metering;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code metering.enforcement} and {@code metering.on-missing-customer}, with a model
 * that spends 30 tokens a call against a limit of 50.
 */
class LimitEnforcementTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=50",
				"metering.accounts.org_a.customer-id=cus_a", "metering.delivery.flush-interval=20ms");

	@Test
	void enforceRefusesTheCallThatStartsAtOrOverTheLimit() {
		this.contextRunner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);
			ask(chat, "org_a");
			ask(chat, "org_a");

			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat, "org_a"));
			assertThat(model.calls()).isEqualTo(2);
			assertThat(used(context, "org_a")).isEqualTo(60);
		});
	}

	@Test
	void warnLetsCallsOverTheLimitThroughAndStillCountsThem() {
		this.contextRunner.withPropertyValues("metering.enforcement=warn").run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);
			for (int i = 0; i < 4; i++) {
				ask(chat, "org_a");
			}

			assertThat(model.calls()).isEqualTo(4);
			assertThat(used(context, "org_a")).isEqualTo(120);
			assertThat(billed(context, "cus_a")).isEqualTo(120);
		});
	}

	@Test
	void offDoesNotCheckLimits() {
		this.contextRunner.withPropertyValues("metering.enforcement=off").run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);
			for (int i = 0; i < 4; i++) {
				ask(chat, "org_a");
			}

			assertThat(model.calls()).isEqualTo(4);
			assertThat(billed(context, "cus_a")).isEqualTo(120);
		});
	}

	@Test
	void skipLetsCallsWithoutAnAccountThroughUnbilled() {
		this.contextRunner.withPropertyValues("metering.on-missing-customer=skip")
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
				ChatClient chat = chatClient(context, model);

				assertThat(ask(chat, "org_without_account")).isEqualTo("ok");
				assertThat(chat.prompt("no organization at all").call().content()).isEqualTo("ok");

				assertThat(model.calls()).isEqualTo(2);
				assertThat(used(context, "org_without_account")).isZero();
				assertThat(context.getBean(SimpleMeterRegistry.class).counter("metering.calls.unbilled").count())
					.isEqualTo(2);
			});
	}

	@Test
	void rejectRefusesCallsWithoutAnAccountBeforeTheModel() {
		this.contextRunner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);

			assertThatExceptionOfType(MissingBillingAccountException.class)
				.isThrownBy(() -> ask(chat, "org_without_account"));
			assertThat(model.calls()).isZero();
		});
	}

	@Test
	void aModelThatFailsWithAnErrorReleasesWhatTheCallReserved() {
		this.contextRunner.run((context) -> {
			// four characters a token: this prompt reserves the whole limit of 50 while
			// it runs
			String largePrompt = "x".repeat(200);
			ChatClient crashing = chatClient(context, new CrashingChatModel());
			assertThatExceptionOfType(ModelCrash.class).isThrownBy(() -> crashing.prompt(largePrompt)
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_a"))
				.call()
				.content());

			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ask(chatClient(context, model), "org_a");

			assertThat(model.calls()).isOne();
			assertThat(used(context, "org_a")).isEqualTo(30);
		});
	}

	private static ChatClient chatClient(AssertableApplicationContext context, ChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	/**
	 * An {@link Error}, not an exception: what a model's client may throw when it breaks
	 * badly.
	 */
	static final class ModelCrash extends Error {

		ModelCrash() {
			super("the model's client broke");
		}

	}

	static final class CrashingChatModel implements ChatModel {

		@Override
		public ChatResponse call(Prompt prompt) {
			throw new ModelCrash();
		}

	}

	private static String ask(ChatClient chat, String organization) {
		return chat.prompt("hello")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	private static long used(AssertableApplicationContext context, String organization) {
		return context.getBean(BillingClient.class).getUsageStatus(organization, "aiTokens").used();
	}

	private static long billed(AssertableApplicationContext context, String customerId) {
		BillingClient billing = context.getBean(BillingClient.class);
		assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		return billing.getUsage("ai-tokens", customerId).get(0).aggregatedValue();
	}

}
