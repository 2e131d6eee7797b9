package dev.metering.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.InsufficientBalanceException;
import dev.metering.MeteringAdvisor;
import dev.metering.support.PostgresServer;

import static dev.metering.limits.LimitedChat.ask;
import static dev.metering.limits.LimitedChat.chatClient;
import static dev.metering.limits.LimitedChat.refusals;
import static dev.metering.limits.LimitedChat.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Limits and prepaid balances under bursts of concurrent calls, on one instance and on
 * two sharing one PostgreSQL: the contract admits a call iff used plus reserved is under
 * the limit (for a balance, the credit of its grants), so usage never exceeds it by more
 * than one call's reservation, and no call is refused under it; a top-up made on one
 * instance admits calls on the other at once.
 */
class LimitsUnderLoadTests {

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
	void twoHundredCallsOnOneInstanceOvershootByLessThanOneCall() {
		onPostgres(1000, "org_one").run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(12, 5);
			ChatClient chat = chatClient(context, model);

			int refused = refusals(200, 200, (i) -> () -> ask(chat, "org_one", 20));

			long admitted = (long) model.calls() * CALL;
			assertThat(refused).isEqualTo(200 - model.calls());
			assertThat(admitted).isBetween(1000L, 1000L + RESERVED - 1);
			assertThat(used(context, "org_one")).isEqualTo(admitted);
		});
	}

	@Test
	void twoHundredCallsOnTwoInstancesOvershootByLessThanOneCall() {
		onPostgres(1000, "org_two").run((first) -> onPostgres(1000, "org_two").run((second) -> {
			FixedUsageChatModel firstModel = new FixedUsageChatModel(12, 5);
			FixedUsageChatModel secondModel = new FixedUsageChatModel(12, 5);
			List<ChatClient> chats = List.of(chatClient(first, firstModel), chatClient(second, secondModel));

			int refused = refusals(200, 200, (i) -> () -> ask(chats.get(i % 2), "org_two", 20));

			int calls = firstModel.calls() + secondModel.calls();
			long admitted = (long) calls * CALL;
			assertThat(firstModel.calls()).isPositive();
			assertThat(secondModel.calls()).isPositive();
			assertThat(refused).isEqualTo(200 - calls);
			assertThat(admitted).isBetween(1000L, 1000L + RESERVED - 1);
			// each instance writes its own usage back when asked: the second sees both
			assertThat(used(first, "org_two")).isBetween(firstModel.calls() * (long) CALL, admitted);
			assertThat(used(second, "org_two")).isEqualTo(admitted);
		}));
	}

	@Test
	void twoHundredCallsThatFitTheLimitAreAllAdmittedOnOneInstance() {
		onPostgres(200 * CALL, "org_fit_one").run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(12, 5);
			ChatClient chat = chatClient(context, model);

			assertThat(refusals(200, 200, (i) -> () -> ask(chat, "org_fit_one", 20))).isZero();
			assertThat(used(context, "org_fit_one")).isEqualTo(200 * CALL);
		});
	}

	@Test
	void twoHundredCallsThatFitTheLimitAreAllAdmittedOnTwoInstances() {
		onPostgres(200 * CALL, "org_fit_two").run((first) -> onPostgres(200 * CALL, "org_fit_two").run((second) -> {
			List<ChatClient> chats = List.of(chatClient(first, new FixedUsageChatModel(12, 5)),
					chatClient(second, new FixedUsageChatModel(12, 5)));

			assertThat(refusals(200, 200, (i) -> () -> ask(chats.get(i % 2), "org_fit_two", 20))).isZero();
			used(first, "org_fit_two");
			assertThat(used(second, "org_fit_two")).isEqualTo(200 * CALL);
		}));
	}

	@Test
	void fiftyFirstCallsOfAColdOrganizationOvershootByOneCallAtMostInMemory() {
		fiftyFirstCalls(LimitedChat.runner(100)
			.withPropertyValues("metering.limits.store=memory", "metering.accounts.org_cold.customer-id=cus_cold"));
	}

	@Test
	void fiftyFirstCallsOfAColdOrganizationOvershootByOneCallAtMostOnPostgres() {
		fiftyFirstCalls(onPostgres(100, "org_cold"));
	}

	/**
	 * The burst of the issue: 50 calls of 17 tokens from 16 threads against a limit of
	 * 100.
	 */
	private static void fiftyFirstCalls(ApplicationContextRunner runner) {
		runner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(12, 5);
			ChatClient chat = chatClient(context, model);

			// no max tokens: each call reserves the completion estimate, 1000
			int refused = refusals(50, 16, (i) -> () -> ask(chat, "org_cold"));

			long admitted = (long) model.calls() * CALL;
			assertThat(refused).isEqualTo(50 - model.calls());
			assertThat(admitted).isBetween(100L, 100L + CALL - 1);
			assertThat(used(context, "org_cold")).isEqualTo(admitted);
		});
	}

	@Test
	void tenThousandCallsOfFiftyOrganizationsAreEachCountedAndBilledExactly() {
		String[] accounts = new String[50];
		for (int org = 0; org < 50; org++) {
			accounts[org] = "metering.accounts.org_" + org + ".customer-id=cus_" + org;
		}
		onPostgres(1_000_000_000L).withPropertyValues(accounts).run((context) -> {
			ChatClient chat = chatClient(context, new OrganizationSizedChatModel());

			assertThat(refusals(10_000, 16,
					(i) -> () -> chat.prompt(Integer.toString(i % 50))
						.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_" + (i % 50)))
						.call()
						.content()))
				.isZero();

			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.flush(Duration.ofSeconds(30))).isTrue();
			for (int org = 0; org < 50; org++) {
				long expected = 200L * OrganizationSizedChatModel.tokens(org);
				assertThat(used(context, "org_" + org)).as("ledger of org_" + org).isEqualTo(expected);
				assertThat(billing.getUsage("ai-tokens", "cus_" + org).get(0).aggregatedValue())
					.as("meter of org_" + org)
					.isEqualTo(expected);
			}
		});
	}

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

	private static ApplicationContextRunner onPostgres(long limit, String organization) {
		return onPostgres(limit)
			.withPropertyValues("metering.accounts." + organization + ".customer-id=cus_" + organization);
	}

	private static ApplicationContextRunner onPostgres(long limit) {
		return LimitedChat.runner(limit)
			.withPropertyValues("spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
					"spring.datasource.username=postgres");
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

	/** Spends tokens by organization: the prompt is the organization's number. */
	static final class OrganizationSizedChatModel implements ChatModel {

		static int tokens(int organization) {
			return organization % 9 + 3;
		}

		@Override
		public ChatResponse call(Prompt prompt) {
			int organization = Integer.parseInt(prompt.getUserMessage().getText());
			return ChatResponse.builder()
				.generations(List.of(new Generation(new AssistantMessage("ok"))))
				.metadata(ChatResponseMetadata.builder().usage(new DefaultUsage(tokens(organization) - 2, 2)).build())
				.build();
		}

	}

}
