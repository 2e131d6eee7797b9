package dev.metering.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.MeteringAdvisor;
import dev.metering.UsageLimitExceededException;
import dev.metering.UsageStatus;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Calendar-month periods roll over on the application's clock, without a restart: the
 * usage of the month that ended no longer counts against the limit.
 */
class PeriodRolloverTests {

	private static final Instant NOVEMBER_END = Instant.parse("2026-12-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(NOVEMBER_END.minusSeconds(30));

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=50",
				"metering.accounts.org_a.customer-id=cus_a");

	@Test
	void aNewMonthStartsWithNothingUsed() {
		this.contextRunner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);
			ask(chat);
			ask(chat);
			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat))
				.satisfies((ex) -> assertThat(ex.getPeriodEnd()).isEqualTo(NOVEMBER_END));

			this.clock.set(NOVEMBER_END.plusSeconds(5));
			ask(chat);

			assertThat(model.calls()).isEqualTo(3);
			UsageStatus december = context.getBean(BillingClient.class).getUsageStatus("org_a", "aiTokens");
			assertThat(december.periodStart()).isEqualTo(NOVEMBER_END);
			assertThat(december.periodEnd()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
			assertThat(december.used()).as("November's 60 tokens no longer count").isEqualTo(30);
			assertThat(december.level()).isEqualTo(UsageStatus.Level.OK);
		});
	}

	@Test
	void usageIsStampedAndDeliveredOnTheApplicationsClock() {
		this.contextRunner.withPropertyValues("metering.meters.ai-tokens.meter-id=mtr_ai").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.recordUsage("ai_tokens", "cus_a", 7);
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();

			// the last hour of November on the application's clock, whatever the
			// machine's says
			assertThat(billing.getUsage("mtr_ai", "cus_a", NOVEMBER_END.minusSeconds(3600), NOVEMBER_END))
				.singleElement()
				.satisfies((november) -> assertThat(november.aggregatedValue()).isEqualTo(7));
		});
	}

	private static ChatClient chatClient(AssertableApplicationContext context, FixedUsageChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	private static String ask(ChatClient chat) {
		return chat.prompt("hello").advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_a")).call().content();
	}

}
