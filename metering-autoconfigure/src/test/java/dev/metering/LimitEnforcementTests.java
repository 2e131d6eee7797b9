package dev.metering;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code metering.enforcement} and {@code metering.on-missing-customer}, with a model that
 * spends 30 tokens a call against a limit of 50.
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

	private static ChatClient chatClient(AssertableApplicationContext context, FixedUsageChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
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
