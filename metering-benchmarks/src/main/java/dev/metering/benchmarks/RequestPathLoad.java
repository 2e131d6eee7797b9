package dev.metering.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.metering.BillingClient;

/**
 * The request path of a chat endpoint under a closed-loop load, three ways in one run: not
 * metered (the baseline), metered by the starter, and metered by hand with a synchronous
 * Stripe meter event inside the request. The Stripe stub answers after 50 ms. Each endpoint is
 * warmed up, then driven by 32 clients for 30 s ({@code -Dclients}, {@code -DphaseSeconds}).
 */
public final class RequestPathLoad {

	private static final String BODY = "{\"message\":\"What is the capital of France?\"}";

	private RequestPathLoad() {
	}

	public static void main(String[] args) throws Exception {
		int clients = Integer.getInteger("clients", 32);
		Duration phase = Duration.ofSeconds(Long.getLong("phaseSeconds", 30));
		Duration warmUp = Duration.ofSeconds(Long.getLong("warmUpSeconds", 5));
		try (StripeStubServer stripe = StripeStubServer.start(Duration.ofMillis(50));
				ConfigurableApplicationContext app = ChatApp.start(stripe.baseUrl())) {
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			ClosedLoop load = new ClosedLoop(clients);
			Map<String, ClosedLoop.Result> results = new LinkedHashMap<>();
			String delivery = null;
			for (String endpoint : new String[] { "plain", "metered", "naive" }) {
				URI uri = URI.create("http://localhost:" + port + "/chat/" + endpoint);
				load.run(uri, BODY, ChatApp.ORGANIZATIONS, warmUp);
				stripe.reset();
				results.put(endpoint, load.run(uri, BODY, ChatApp.ORGANIZATIONS, phase));
				if (endpoint.equals("metered")) {
					boolean delivered = app.getBean(BillingClient.class).flush(Duration.ofSeconds(60));
					delivery = String.format("the starter's %d calls reached Stripe as %d meter event requests "
							+ "(all delivered: %s)", results.get(endpoint).requests(), stripe.requests(), delivered);
				}
			}
			report(clients, phase, results);
			System.out.println("Delivery: " + delivery);
		}
	}

	private static void report(int clients, Duration phase, Map<String, ClosedLoop.Result> results) {
		ClosedLoop.Result plain = results.get("plain");
		System.out.printf("%nRequest path: %d clients, %d s each, Stripe stub answering after 50 ms%n", clients,
				phase.toSeconds());
		System.out.printf("%-9s %12s %10s %10s %14s %14s %9s%n", "endpoint", "requests/s", "p50 ms", "p99 ms",
				"p99 added ms", "throughput", "failures");
		results.forEach((name, result) -> System.out.printf("%-9s %12.0f %10.3f %10.3f %14.3f %13.1f%% %9d%n", name,
				result.throughput(), result.p50(), result.p99(), result.p99() - plain.p99(),
				100.0 * result.throughput() / plain.throughput(), result.failures()));
		double meteredAdded = Math.max(results.get("metered").p99() - plain.p99(), 0.001);
		double naiveAdded = results.get("naive").p99() - plain.p99();
		System.out.printf("p99 added by the naive pattern / by the starter: %.0f×%n", naiveAdded / meteredAdded);
	}

}
