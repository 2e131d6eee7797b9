package dev.metering.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.metering.BillingClient;

/**
 * The request path of a chat endpoint under a closed-loop load, three ways in one run:
 * not metered (the baseline), metered by the starter, and metered by hand with a
 * synchronous Stripe meter event inside the request. The Stripe stub answers after 50 ms.
 * Each endpoint is warmed up, then driven by 32 clients for 30 s in all
 * ({@code -Dclients}, {@code -DphaseSeconds}), in rounds that take the endpoints in turn
 * ({@code -Drounds}). {@code -Dendpoints=metered} runs some of them only, to profile one.
 */
public final class RequestPathLoad {

	private static final String BODY = "{\"message\":\"What is the capital of France?\"}";

	private RequestPathLoad() {
	}

	public static void main(String[] args) throws Exception {
		int clients = Integer.getInteger("clients", 32);
		Duration phase = Duration.ofSeconds(Long.getLong("phaseSeconds", 30));
		Duration warmUp = Duration.ofSeconds(Long.getLong("warmUpSeconds", 5));
		int rounds = Integer.getInteger("rounds", 6);
		String[] endpoints = System.getProperty("endpoints", "plain,metered,naive").split(",");
		try (StripeStubServer stripe = StripeStubServer.start(Duration.ofMillis(50));
				ConfigurableApplicationContext app = ChatApp.start(stripe.baseUrl())) {
			int port = Objects.requireNonNull(((WebServerApplicationContext) app).getWebServer()).getPort();
			ClosedLoop load = new ClosedLoop(clients);
			for (String endpoint : endpoints) {
				load.run(uri(port, endpoint), BODY, ChatApp.ORGANIZATIONS, warmUp);
			}
			BillingClient billing = app.getBean(BillingClient.class);
			billing.flush(Duration.ofSeconds(60));
			stripe.reset();
			// in rounds, the three endpoints in turn, so that none is measured in better
			// conditions (a warmer JIT, a quieter machine) than the others
			Map<String, ClosedLoop.Samples> samples = new LinkedHashMap<>();
			Duration round = phase.dividedBy(rounds);
			for (int r = 0; r < rounds; r++) {
				for (String endpoint : endpoints) {
					samples.merge(endpoint, load.run(uri(port, endpoint), BODY, ChatApp.ORGANIZATIONS, round),
							ClosedLoop.Samples::plus);
				}
			}
			boolean delivered = billing.flush(Duration.ofSeconds(60));
			Map<String, ClosedLoop.Result> results = new LinkedHashMap<>();
			samples.forEach((endpoint, measured) -> results.put(endpoint, measured.result()));
			if (results.keySet().containsAll(List.of("plain", "metered", "naive"))) {
				report(clients, phase, rounds, results);
				System.out.printf(
						"Delivery: the starter's %,d calls reached Stripe as %,d meter event requests "
								+ "(all delivered: %s)%n",
						result(results, "metered").requests(), stripe.requests() - result(results, "naive").requests(),
						delivered);
			}
			else {
				results
					.forEach((name, result) -> System.out.printf("%-9s %,10.0f requests/s, p50 %.3f ms, p99 %.3f ms%n",
							name, result.throughput(), result.p50(), result.p99()));
			}
		}
	}

	private static ClosedLoop.Result result(Map<String, ClosedLoop.Result> results, String endpoint) {
		return Objects.requireNonNull(results.get(endpoint), endpoint);
	}

	private static URI uri(int port, String endpoint) {
		return URI.create("http://localhost:" + port + "/chat/" + endpoint);
	}

	private static void report(int clients, Duration phase, int rounds, Map<String, ClosedLoop.Result> results) {
		ClosedLoop.Result plain = result(results, "plain");
		System.out.printf("%nRequest path: %d clients, %d s each in %d rounds, Stripe stub answering after 50 ms%n",
				clients, phase.toSeconds(), rounds);
		System.out.printf("%-9s %12s %10s %10s %14s %14s %9s%n", "endpoint", "requests/s", "p50 ms", "p99 ms",
				"p99 added ms", "throughput", "failures");
		results.forEach((name, result) -> System.out.printf("%-9s %12.0f %10.3f %10.3f %14.3f %13.1f%% %9d%n", name,
				result.throughput(), result.p50(), result.p99(), result.p99() - plain.p99(),
				100.0 * result.throughput() / plain.throughput(), result.failures()));
		double meteredAdded = Math.max(result(results, "metered").p99() - plain.p99(), 0.001);
		double naiveAdded = result(results, "naive").p99() - plain.p99();
		System.out.printf("p99 added by the naive pattern / by the starter: %.0f×%n", naiveAdded / meteredAdded);
	}

}
