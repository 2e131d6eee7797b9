package dev.metering.limits;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.InsufficientBalanceException;
import dev.metering.support.PostgresServer;

import static dev.metering.limits.LimitedChat.ask;
import static dev.metering.limits.LimitedChat.chatClient;
import static dev.metering.limits.LimitedChat.refusals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Prepaid balances under bursts of concurrent calls on two instances sharing one
 * PostgreSQL: a balance is counted in the ledger as limits are, so usage never exceeds
 * what the grants hold by more than one call's reservation, and a top-up made on one
 * instance admits calls on the other at once.
 */
class BalancesUnderLoadTests {

	/** 12 + 5 tokens a call. */
	private static final int CALL = 17;

	/**
	 * "hello" (one token at four characters a token) and max tokens 20: 21 reserved a
	 * call.
	 */
	private static final int RESERVED = 21;

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@Test
	void twoHundredCallsOnTwoInstancesOvershootTheBalanceByLessThanOneCall() {
		prepaidOnPostgres("org_load").run((first) -> prepaidOnPostgres("org_load").run((second) -> {
			balances(first).grantCredits("org_load", "ai-tokens", 1000, Instant.now(), null, 0);
			FixedUsageChatModel firstModel = new FixedUsageChatModel(12, 5);
			FixedUsageChatModel secondModel = new FixedUsageChatModel(12, 5);
			List<ChatClient> chats = List.of(chatClient(first, firstModel), chatClient(second, secondModel));

			int refused = refusals(200, 200, (i) -> () -> ask(chats.get(i % 2), "org_load", 20));

			int calls = firstModel.calls() + secondModel.calls();
			long admitted = (long) calls * CALL;
			assertThat(firstModel.calls()).isPositive();
			assertThat(secondModel.calls()).isPositive();
			assertThat(refused).isEqualTo(200 - calls);
			assertThat(admitted).isBetween(1000L, 1000L + RESERVED - 1);
			// each instance writes its own usage back when asked: the second sees both
			balances(first).getBalance("org_load", "ai-tokens");
			assertThat(balances(second).getBalance("org_load", "ai-tokens").used()).isEqualTo(admitted);
		}));
	}

	@Test
	void aTopUpOnOneInstanceAdmitsTheRefusedCallsOfTheOtherAtOnce() {
		prepaidOnPostgres("org_top_up").run((first) -> prepaidOnPostgres("org_top_up").run((second) -> {
			balances(first).grantCredits("org_top_up", "ai-tokens", 17, Instant.now(), null, 0);
			ChatClient firstChat = chatClient(first, new FixedUsageChatModel(12, 5));
			FixedUsageChatModel secondModel = new FixedUsageChatModel(12, 5);
			ChatClient secondChat = chatClient(second, secondModel);
			ask(firstChat, "org_top_up", 20);
			assertThat(refusals(5, 5, (i) -> () -> ask(secondChat, "org_top_up", 20))).isEqualTo(5);

			balances(first).grantCredits("org_top_up", "ai-tokens", 34, Instant.now(), null, 0);

			assertThat(refusals(2, 1, (i) -> () -> ask(secondChat, "org_top_up", 20))).isZero();
			assertThat(secondModel.calls()).isEqualTo(2);
			assertThatExceptionOfType(InsufficientBalanceException.class)
				.isThrownBy(() -> ask(secondChat, "org_top_up", 20));
		}));
	}

	private static BillingClient balances(ApplicationContext context) {
		return context.getBean(BillingClient.class);
	}

	private static ApplicationContextRunner prepaidOnPostgres(String organization) {
		return LimitedChat.runner(1_000_000_000L)
			.withPropertyValues("spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
					"spring.datasource.username=postgres", "metering.meters.ai-tokens.prepaid=true",
					"metering.accounts." + organization + ".customer-id=cus_" + organization);
	}

}
