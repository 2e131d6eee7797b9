package dev.metering;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.metering.delivery.UsageDispatcher;
import dev.metering.limits.UsageLedger;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;
import dev.metering.provider.local.LocalMeterProvider;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;

/**
 * {@link BillingClient#cancelUsage} gives the usage of one recorded event back, with the
 * local meter, the outbox in memory and in H2: an event still in the outbox is never
 * delivered, a delivered one is taken off the meter, and the plan limit and the prepaid
 * balance it was counted against no longer count it.
 */
class CancelUsageTests {

	private static final Instant NOW = Instant.parse("2027-03-10T12:00:00Z");

	private final MutableClock clock = new MutableClock(NOW);

	private final ApplicationContextRunner inMemory = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.prepaid=true",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.accounts.org_a.customer-id=cus_a",
				"metering.delivery.flush-interval=1h");

	private final ApplicationContextRunner inH2 = this.inMemory
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:cancel-usage-" + UUID.randomUUID(),
				"metering.limits.flush-interval=20ms");

	@Test
	void anEventStillInTheOutboxIsCancelledThereAndNeverDelivered() {
		for (ApplicationContextRunner runner : List.of(this.inMemory, this.inH2)) {
			runner.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				UsageDispatcher delivery = context.getBean(UsageDispatcher.class);
				// no pass may take the events before they are cancelled
				delivery.stop();
				String kept = billing.recordUsage("ai_tokens", "cus_a", 7).identifier();
				String cancelled = billing.recordUsage("ai_tokens", "cus_a", 5).identifier();

				assertThat(billing.cancelUsage(cancelled)).isTrue();
				delivery.start();
				assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

				LocalMeterProvider meter = context.getBean(LocalMeterProvider.class);
				assertThat(meter.eventCount("ai_tokens", "cus_a")).as("only the kept event was delivered").isEqualTo(1);
				assertThat(usage(billing)).isEqualTo(7);
				assertThat(billing.cancelUsage(cancelled)).as("cancelled already").isFalse();
				assertThat(kept).isNotNull();
			});
		}
	}

	@Test
	void aDeliveredEventIsTakenOffTheLocalMeter() {
		for (ApplicationContextRunner runner : List.of(this.inMemory, this.inH2)) {
			runner.withPropertyValues("metering.delivery.coalesce=false").run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				billing.recordUsage("ai_tokens", "cus_a", 7);
				String cancelled = billing.recordUsage("ai_tokens", "cus_a", 5).identifier();
				assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
				assertThat(usage(billing)).isEqualTo(12);

				assertThat(billing.cancelUsage(cancelled)).isTrue();

				assertThat(usage(billing)).isEqualTo(7);
				assertThat(context.getBean(LocalMeterProvider.class).eventCount("ai_tokens", "cus_a")).isEqualTo(1);
				assertThat(billing.cancelUsage(cancelled)).as("cancelled already").isFalse();
				assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
				assertThat(usage(billing)).as("not delivered again").isEqualTo(7);
			});
		}
	}

	@Test
	void anEventSentMergedWithOthersIsNotCancelledAndStaysCounted() {
		for (ApplicationContextRunner runner : List.of(this.inMemory, this.inH2)) {
			runner.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				UsageDispatcher delivery = context.getBean(UsageDispatcher.class);
				// both wait for the next pass, which merges them
				delivery.stop();
				billing.recordUsage("ai_tokens", "cus_a", 7);
				String merged = billing.recordUsage("ai_tokens", "cus_a", 5).identifier();
				delivery.start();
				assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
				assertThat(context.getBean(LocalMeterProvider.class).eventCount("ai_tokens", "cus_a"))
					.as("sent as one event")
					.isEqualTo(1);

				assertThatIllegalStateException().isThrownBy(() -> billing.cancelUsage(merged))
					.withMessageContaining("metering.delivery.coalesce=false");
				assertThat(usage(billing)).isEqualTo(12);
			});
		}
	}

	@Test
	void aCancelledCallsUsageLetsARefusedOrganizationCallAgainUnderItsLimitAndBalance() {
		this.inH2.withPropertyValues("metering.plans.free.limits.aiTokens=60").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			UsageDispatcher delivery = context.getBean(UsageDispatcher.class);
			// the calls' events wait in the outbox
			delivery.stop();
			billing.grantCredits("org_a", "ai-tokens", 60, NOW, null, 0);
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);
			ask(chat);
			ask(chat);
			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat));

			// the calls' events are written to the table in a group, a moment after they
			// end
			List<String> calls = await().until(() -> callIdentifiers(context), hasSize(2));

			assertThat(billing.cancelUsage(calls.get(0))).isTrue();

			assertThat(billing.getUsageStatus("org_a", "aiTokens").used()).isEqualTo(30);
			assertThat(billing.getBalance("org_a", "ai-tokens")).isEqualTo(new Balance("ai-tokens", 60, 30, 30, null));
			ask(chat);
			assertThat(model.calls()).isEqualTo(3);
			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat));
			delivery.start();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(usage(billing)).as("two calls billed").isEqualTo(60);
		});
	}

	@Test
	void aCancelledCallsUsageLetsAnOrganizationOutOfBalanceCallAgain() {
		this.inH2.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.grantCredits("org_a", "ai-tokens", 30, NOW, null, 0);
			ChatClient chat = chatClient(context, new FixedUsageChatModel(20, 10));
			ask(chat);
			assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> ask(chat));
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThat(billing.cancelUsage(callIdentifiers(context).get(0))).as("delivered, then cancelled").isTrue();

			assertThat(usage(billing)).isZero();
			ask(chat);
			assertThat(billing.getBalance("org_a", "ai-tokens").remaining()).isZero();
		});
	}

	@Test
	void theLedgerGivesBackNoMoreThanItCounted() {
		for (ApplicationContextRunner runner : List.of(this.inMemory, this.inH2)) {
			runner.run((context) -> {
				UsageLedger ledger = context.getBean(UsageLedger.class);
				ledger.add("org_a", "aiTokens", UsageLedger.BALANCE_PERIOD, 100, 40);

				assertThat(ledger.giveBack("org_a", "aiTokens", UsageLedger.BALANCE_PERIOD, 25)).isEqualTo(15);
				assertThat(ledger.giveBack("org_a", "aiTokens", UsageLedger.BALANCE_PERIOD, 25)).isZero();
				assertThat(ledger.used("org_a", "aiTokens", UsageLedger.BALANCE_PERIOD)).isZero();
				assertThat(ledger.giveBack("org_b", "aiTokens", UsageLedger.BALANCE_PERIOD, 5)).isZero();
			});
		}
	}

	@Test
	void anUnknownIdentifierAnswersFalseAndABlankOneIsRefused() {
		for (ApplicationContextRunner runner : List.of(this.inMemory, this.inH2)) {
			runner.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				assertThat(billing.cancelUsage("usage_unknown")).isFalse();
				assertThatIllegalArgumentException().isThrownBy(() -> billing.cancelUsage(" "))
					.withMessage("identifier must not be blank");
				assertThatIllegalArgumentException().isThrownBy(() -> billing.cancelUsage(null))
					.withMessage("identifier must not be blank");
			});
		}
	}

	@Test
	void aProviderThatCannotCancelLeavesTheDeliveredEventCounted() {
		this.inH2.withBean(MeterProvider.class, SentOnlyProvider::new).run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			String identifier = billing.recordUsage("ai_tokens", "cus_a", 5).identifier();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> billing.cancelUsage(identifier))
				.withMessage("The sent-only meter cannot cancel usage it has been sent");
			assertThatExceptionOfType(UnsupportedOperationException.class).as("still delivered")
				.isThrownBy(() -> billing.cancelUsage(identifier));
			String status = JdbcClient.create(context.getBean(javax.sql.DataSource.class))
				.sql("SELECT status FROM metering_usage_event WHERE identifier = ?")
				.param(identifier)
				.query(String.class)
				.single();
			assertThat(status).isEqualTo("D");
		});
	}

	private static long usage(BillingClient billing) {
		return billing.getUsage("ai-tokens", "cus_a").get(0).aggregatedValue();
	}

	/**
	 * The identifiers of the organization's calls' events, in the order recorded: those
	 * that merged them record no instance.
	 */
	private static List<String> callIdentifiers(AssertableApplicationContext context) {
		return JdbcClient.create(context.getBean(javax.sql.DataSource.class))
			.sql("SELECT identifier FROM metering_usage_event WHERE subject_id = 'org_a' "
					+ "AND recorded_by IS NOT NULL ORDER BY recorded_at, identifier")
			.query(String.class)
			.list();
	}

	private static ChatClient chatClient(AssertableApplicationContext context, ChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	private static String ask(ChatClient chat) {
		return chat.prompt("hello").advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_a")).call().content();
	}

	/** An application's own provider that takes events and gives nothing back. */
	static final class SentOnlyProvider implements MeterProvider {

		@Override
		public String name() {
			return "sent-only";
		}

		@Override
		public Optional<String> rejectCustomerId(String customerId) {
			return Optional.empty();
		}

		@Override
		public DeliveryOutcome deliver(UsageEvent event) {
			return DeliveryOutcome.delivered();
		}

		@Override
		public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, @Nullable Instant start,
				@Nullable Instant end) {
			return List.of();
		}

	}

}
