package dev.metering.limits;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.metering.BillingClient;
import dev.metering.InsufficientBalanceException;
import dev.metering.MeteringAdvisor;
import dev.metering.UsageLimitExceededException;
import dev.metering.support.MeteringAutoConfigurations;

/**
 * An application with a limit on ChatClient tokens ({@code aiTokens}), and calls against
 * it, one at a time or in bursts.
 */
final class LimitedChat {

	private LimitedChat() {
	}

	/**
	 * The starter with Boot's DataSource, a limit on the default meter and no accounts
	 * yet.
	 */
	static ApplicationContextRunner runner(long limit) {
		return new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=" + limit,
					"metering.delivery.flush-interval=20ms", "metering.jdbc.initialize-schema=always");
	}

	static ChatClient chatClient(ApplicationContext context, ChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	/** A call that sets no max tokens, so that it reserves the completion estimate. */
	static String ask(ChatClient chat, String organization) {
		return chat.prompt("hello")
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	static String ask(ChatClient chat, String organization, int maxTokens) {
		return chat.prompt("hello")
			.options(ChatOptions.builder().maxTokens(maxTokens))
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	static long used(ApplicationContext context, String organization) {
		return context.getBean(BillingClient.class).getUsageStatus(organization, "aiTokens").used();
	}

	/**
	 * Runs calls all at once on {@code threads} threads.
	 * @return how many were refused for the limit or the balance; any other failure fails
	 * the burst
	 */
	static int refusals(int calls, int threads, IntFunction<Callable<String>> call) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Boolean>> outcomes = new ArrayList<>();
			for (int i = 0; i < calls; i++) {
				Callable<String> task = call.apply(i);
				outcomes.add(executor.submit(() -> {
					start.await();
					try {
						task.call();
						return true;
					}
					catch (UsageLimitExceededException | InsufficientBalanceException ex) {
						return false;
					}
				}));
			}
			start.countDown();
			int refused = 0;
			for (Future<Boolean> outcome : outcomes) {
				try {
					refused += outcome.get() ? 0 : 1;
				}
				catch (ExecutionException ex) {
					throw new AssertionError("A call failed otherwise than for its limit or balance", ex.getCause());
				}
			}
			return refused;
		}
		finally {
			executor.shutdownNow();
		}
	}

}
