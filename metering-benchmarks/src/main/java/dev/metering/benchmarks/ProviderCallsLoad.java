package dev.metering.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.context.ConfigurableApplicationContext;

import dev.metering.BillingClient;
import dev.metering.MeteringAdvisor;

/**
 * Provider calls against AI calls: 100,000 metered ChatClient calls across 100 customers,
 * coalescing on, against a Stripe stub, once with v1 meter events and once with the v2
 * meter event stream. Reports the requests Stripe received against one per call, and
 * checks that the sums Stripe received per customer are exactly the tokens of the calls.
 */
public final class ProviderCallsLoad {

	private static final int CUSTOMERS = 100;

	private ProviderCallsLoad() {
	}

	public static void main(String[] args) throws Exception {
		int calls = Integer.getInteger("calls", 100_000);
		int threads = Integer.getInteger("threads", 4);
		System.out.printf("%nProvider calls: %,d ChatClient calls across %d customers, %d threads, coalescing on%n",
				calls, CUSTOMERS, threads);
		System.out.printf("%-10s %10s %16s %14s %12s %14s%n", "stripe.api", "calls s", "delivered s", "requests",
				"fewer", "sums exact");
		boolean allExact = true;
		for (String api : new String[] { "v1", "v2-stream" }) {
			allExact &= run(api, calls, threads);
		}
		if (!allExact) {
			throw new IllegalStateException("The sums at the Stripe stub differ from the tokens of the calls");
		}
	}

	private static boolean run(String api, int calls, int threads) throws InterruptedException {
		try (StripeStubServer stripe = StripeStubServer.start(Duration.ZERO);
				ConfigurableApplicationContext app = start(stripe.baseUrl(), api)) {
			ChatClient chatClient = app.getBean(ChatClient.Builder.class).build();
			AtomicInteger next = new AtomicInteger();
			long started = System.nanoTime();
			List<Thread> workers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				workers.add(new Thread(() -> {
					int call;
					while ((call = next.getAndIncrement()) < calls) {
						String organization = "org_" + (call % CUSTOMERS);
						chatClient.prompt("What is the capital of France?")
							.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
							.call()
							.content();
					}
				}));
			}
			workers.forEach(Thread::start);
			for (Thread worker : workers) {
				worker.join();
			}
			double callSeconds = (System.nanoTime() - started) / 1e9;
			boolean delivered = app.getBean(BillingClient.class).flush(Duration.ofSeconds(60));
			double deliveredSeconds = (System.nanoTime() - started) / 1e9;
			boolean exact = delivered;
			for (int c = 0; c < CUSTOMERS; c++) {
				long expected = InstantChatModel.TOKENS_PER_CALL
						* (calls / CUSTOMERS + ((c < calls % CUSTOMERS) ? 1 : 0));
				exact &= stripe.sum("cus_" + c) == expected;
			}
			System.out.printf("%-10s %10.1f %16.1f %14d %11.0f× %14s%n", api, callSeconds, deliveredSeconds,
					stripe.requests(), (double) calls / stripe.requests(), exact);
			return exact;
		}
	}

	private static ConfigurableApplicationContext start(String stripeBase, String api) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("metering.provider", "stripe");
		properties.put("metering.stripe.api", api);
		properties.put("metering.stripe.api-key", "sk_test_benchmark");
		properties.put("metering.stripe.api-base", stripeBase);
		properties.put("metering.stripe.meter-events-base", stripeBase);
		properties.put("metering.meters.ai-tokens.event-name", "ai_tokens");
		properties.put("spring.datasource.url", "jdbc:h2:mem:provider-calls-" + api + ";DB_CLOSE_DELAY=-1");
		MeteredApplication.accounts(properties, CUSTOMERS, "free");
		return MeteredApplication.start(properties);
	}

}
