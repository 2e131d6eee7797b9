package dev.metering.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;

import dev.metering.BalanceLowEvent;
import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.InsufficientBalanceException;
import dev.metering.UsageThresholdReachedEvent;
import dev.metering.support.PostgresServer;

import static dev.metering.limits.LimitedChat.ask;
import static dev.metering.limits.LimitedChat.chatClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * A balance running low ({@code metering.balances.thresholds}, 20, 5 and 0 % left by
 * default) is published once per organization, meter, credit and threshold: in memory,
 * and in the database across instances. Calls spend 17 tokens from a grant of 100: 85
 * used leaves 15 (20 %), 102 leaves nothing (5 and 0 %). No plan-limit threshold is
 * published for a balance.
 */
class BalanceLowEventTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Test
	void inMemoryEachThresholdIsPublishedOnceForEachCredit() {
		prepaid().withPropertyValues("metering.limits.store=memory", "metering.accounts.org_m.customer-id=cus_m")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				billing.grantCredits("org_m", "ai-tokens", 100, Instant.EPOCH, null, 0);
				ChatClient chat = chatClient(context, new FixedUsageChatModel(12, 5));
				for (int i = 0; i < 6; i++) {
					ask(chat, "org_m", 20);
				}
				assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> ask(chat, "org_m", 20));

				assertThat(events(context)).extracting(BalanceLowEvent::thresholdPercent, BalanceLowEvent::remaining)
					.containsExactly(tuple(20, 15L), tuple(5, 0L), tuple(0, 0L));
				assertThat(events(context)).allSatisfy((event) -> {
					assertThat(event.referenceId()).isEqualTo("org_m");
					assertThat(event.meterKey()).isEqualTo("ai-tokens");
					assertThat(event.granted()).isEqualTo(100);
				});

				billing.grantCredits("org_m", "ai-tokens", 100, Instant.EPOCH, null, 0);
				for (int i = 0; i < 4; i++) {
					ask(chat, "org_m", 20);
				}
				assertThat(events(context)).as("the top-up's credit, 200, has its own thresholds")
					.hasSize(4)
					.last()
					.satisfies((event) -> assertThat(event.granted()).isEqualTo(200))
					.satisfies((event) -> assertThat(event.remaining()).isEqualTo(30))
					.satisfies((event) -> assertThat(event.thresholdPercent()).isEqualTo(20));
				assertThat(context.getBean(LowBalances.class).limitThresholds).isEmpty();
			});
	}

	@Test
	void inTheDatabaseEachThresholdIsPublishedOnceAcrossInstances() {
		ApplicationContextRunner instance = prepaid().withPropertyValues(
				"spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
				"spring.datasource.username=postgres", "metering.accounts.org_d.customer-id=cus_d");
		instance.run((first) -> instance.run((second) -> {
			first.getBean(BillingClient.class).grantCredits("org_d", "ai-tokens", 100, Instant.EPOCH, null, 0);
			List<ChatClient> chats = List.of(chatClient(first, new FixedUsageChatModel(12, 5)),
					chatClient(second, new FixedUsageChatModel(12, 5)));
			for (int i = 0; i < 6; i++) {
				ask(chats.get(i % 2), "org_d", 20);
			}
			// each instance writes its usage back within a flush: one of them sees 102
			await().atMost(Duration.ofSeconds(10)).until(() -> events(first).size() + events(second).size() >= 3);
			List<BalanceLowEvent> published = new CopyOnWriteArrayList<>(events(first));
			published.addAll(events(second));
			assertThat(published).extracting(BalanceLowEvent::thresholdPercent).containsExactlyInAnyOrder(20, 5, 0);
			assertThat(first.getBean(LowBalances.class).limitThresholds).isEmpty();
			assertThat(second.getBean(LowBalances.class).limitThresholds).isEmpty();
		}));
	}

	private static ApplicationContextRunner prepaid() {
		return LimitedChat.runner(1_000_000_000L)
			.withPropertyValues("metering.meters.ai-tokens.prepaid=true")
			.withBean(LowBalances.class);
	}

	private static List<BalanceLowEvent> events(ApplicationContext context) {
		return context.getBean(LowBalances.class).events;
	}

	static final class LowBalances {

		private final List<BalanceLowEvent> events = new CopyOnWriteArrayList<>();

		private final List<UsageThresholdReachedEvent> limitThresholds = new CopyOnWriteArrayList<>();

		@EventListener
		void on(BalanceLowEvent event) {
			this.events.add(event);
		}

		@EventListener
		void on(UsageThresholdReachedEvent event) {
			this.limitThresholds.add(event);
		}

	}

}
