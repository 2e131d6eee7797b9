package dev.metering.limits;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;

import dev.metering.FixedUsageChatModel;
import dev.metering.UsageLimitExceededException;
import dev.metering.UsageThresholdReachedEvent;
import dev.metering.support.PostgresServer;

import static dev.metering.limits.LimitedChat.ask;
import static dev.metering.limits.LimitedChat.chatClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Usage thresholds (75, 90 and 100 % by default) are published once per organization,
 * limit key, threshold and period: in memory, and in the database across instances and
 * restarts. Calls spend 17 tokens against a limit of 100: 85 reaches 75 %, 102 reaches 90
 * and 100 %.
 */
class UsageThresholdTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Test
	void inMemoryEachThresholdIsPublishedOnceWhenReached() {
		LimitedChat.runner(100)
			.withPropertyValues("metering.limits.store=memory", "metering.accounts.org_m.customer-id=cus_m")
			.withBean(ThresholdEvents.class)
			.run((context) -> {
				ChatClient chat = chatClient(context, new FixedUsageChatModel(12, 5));
				for (int i = 0; i < 6; i++) {
					ask(chat, "org_m", 20);
				}
				assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat, "org_m", 20));
				assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat, "org_m", 20));

				assertThat(events(context))
					.extracting(UsageThresholdReachedEvent::thresholdPercent, UsageThresholdReachedEvent::used)
					.containsExactly(tuple(75, 85L), tuple(90, 102L), tuple(100, 102L));
				assertThat(events(context)).allSatisfy((event) -> {
					assertThat(event.referenceId()).isEqualTo("org_m");
					assertThat(event.limitKey()).isEqualTo("aiTokens");
					assertThat(event.limit()).isEqualTo(100);
					assertThat(event.periodStart()).isBefore(event.periodEnd());
				});
			});
	}

	@Test
	void inTheDatabaseEachThresholdIsPublishedOnceAcrossInstancesAndRestarts() {
		ApplicationContextRunner instance = LimitedChat.runner(100)
			.withPropertyValues("spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
					"spring.datasource.username=postgres", "metering.accounts.org_d.customer-id=cus_d")
			.withBean(ThresholdEvents.class);
		List<UsageThresholdReachedEvent> beforeRestart = new CopyOnWriteArrayList<>();
		instance.run((first) -> instance.run((second) -> {
			List<ChatClient> chats = List.of(chatClient(first, new FixedUsageChatModel(12, 5)),
					chatClient(second, new FixedUsageChatModel(12, 5)));
			for (int i = 0; i < 5; i++) {
				ask(chats.get(i % 2), "org_d", 20);
			}
			// each instance writes its usage back within a flush: one of them sees 85
			await().atMost(Duration.ofSeconds(10)).until(() -> events(first).size() + events(second).size() == 1);
			beforeRestart.addAll(events(first));
			beforeRestart.addAll(events(second));
		}));
		assertThat(beforeRestart).singleElement().satisfies((event) -> {
			assertThat(event.thresholdPercent()).isEqualTo(75);
			assertThat(event.used()).isEqualTo(85);
		});

		instance.run((restarted) -> {
			ChatClient chat = chatClient(restarted, new FixedUsageChatModel(12, 5));
			ask(chat, "org_d", 20);
			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat, "org_d", 20));
			await().atMost(Duration.ofSeconds(10)).until(() -> events(restarted).size() >= 2);
			assertThat(events(restarted)).extracting(UsageThresholdReachedEvent::thresholdPercent)
				.containsExactlyInAnyOrder(90, 100);
			assertThat(events(restarted)).allSatisfy((event) -> assertThat(event.used()).isEqualTo(102));
		});
	}

	private static List<UsageThresholdReachedEvent> events(ApplicationContext context) {
		return context.getBean(ThresholdEvents.class).events;
	}

	static final class ThresholdEvents {

		private final List<UsageThresholdReachedEvent> events = new CopyOnWriteArrayList<>();

		@EventListener
		void on(UsageThresholdReachedEvent event) {
			this.events.add(event);
		}

	}

}
