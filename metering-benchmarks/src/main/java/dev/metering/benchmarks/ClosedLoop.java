package dev.metering.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop HTTP load: each client sends a request, waits for its answer, and sends
 * the next, for a fixed time. Latencies are kept whole, so that percentiles are exact.
 */
final class ClosedLoop {

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final int clients;

	ClosedLoop(int clients) {
		this.clients = clients;
	}

	/**
	 * Drives {@code uri} with POSTs of {@code body} for {@code duration}.
	 * @param organizations how many organizations the requests name in turn, in the
	 * header {@code X-Organization} ({@code org_0}, {@code org_1}, …)
	 */
	Samples run(URI uri, String body, int organizations, Duration duration) throws InterruptedException {
		long end = System.nanoTime() + duration.toNanos();
		AtomicLong failures = new AtomicLong();
		List<long[]> latencies = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int c = 0; c < this.clients; c++) {
			int client = c;
			threads.add(new Thread(() -> {
				long[] own = new long[1 << 16];
				int n = 0;
				while (System.nanoTime() < end) {
					HttpRequest request = HttpRequest.newBuilder(uri)
						.header("Content-Type", "application/json")
						.header("X-Organization", "org_" + ((client + n * this.clients) % organizations))
						.POST(HttpRequest.BodyPublishers.ofString(body))
						.build();
					long start = System.nanoTime();
					try {
						HttpResponse<Void> response = this.http.send(request, HttpResponse.BodyHandlers.discarding());
						if (response.statusCode() != 200) {
							failures.incrementAndGet();
						}
					}
					catch (Exception ex) {
						failures.incrementAndGet();
					}
					if (n == own.length) {
						own = Arrays.copyOf(own, n * 2);
					}
					own[n++] = System.nanoTime() - start;
				}
				synchronized (latencies) {
					latencies.add(Arrays.copyOf(own, n));
				}
			}, "load-" + c));
		}
		long started = System.nanoTime();
		threads.forEach(Thread::start);
		for (Thread thread : threads) {
			thread.join();
		}
		long elapsed = System.nanoTime() - started;
		return new Samples(latencies.stream().flatMapToLong(Arrays::stream).toArray(), failures.get(), elapsed);
	}

	/**
	 * Latencies of the requests of one or more runs.
	 *
	 * @param latencies each request's, in nanoseconds
	 * @param failures requests that failed or were not answered 200
	 * @param nanos how long the runs took together
	 */
	record Samples(long[] latencies, long failures, long nanos) {

		static final Samples NONE = new Samples(new long[0], 0, 0);

		Samples plus(Samples other) {
			long[] both = Arrays.copyOf(this.latencies, this.latencies.length + other.latencies.length);
			System.arraycopy(other.latencies, 0, both, this.latencies.length, other.latencies.length);
			return new Samples(both, this.failures + other.failures, this.nanos + other.nanos);
		}

		Result result() {
			long[] sorted = this.latencies.clone();
			Arrays.sort(sorted);
			return new Result(sorted.length, this.failures, sorted.length / (this.nanos / 1e9),
					percentile(sorted, 0.50), percentile(sorted, 0.99));
		}

		private static double percentile(long[] sorted, double p) {
			if (sorted.length == 0) {
				return Double.NaN;
			}
			int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
			return sorted[Math.max(index, 0)] / 1e6;
		}

	}

	/**
	 * @param p50 median latency, in milliseconds
	 * @param p99 99th percentile latency, in milliseconds
	 */
	record Result(long requests, long failures, double throughput, double p50, double p99) {
	}

}
