package dev.metering.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.context.ConfigurableApplicationContext;

import dev.metering.MeteringAdvisor;

/**
 * Memory over time: metered ChatClient calls at a steady rate ({@code -Drate}, calls a
 * second) for {@code -DsoakMinutes} minutes, with the durable outbox, usage ledger and
 * local meter on an H2 file database, as the sample runs ({@code -Dstore=memory}: in
 * memory, to see the library's own memory without H2's). Heap after a full GC and live
 * threads are read at the end of every minute; run it with a heap cap ({@code -Xmx256m}).
 */
public final class SoakLoad {

	private static final int ORGANIZATIONS = 100;

	private SoakLoad() {
	}

	public static void main(String[] args) throws Exception {
		int rate = Integer.getInteger("rate", 2000);
		int minutes = Integer.getInteger("soakMinutes", 5);
		int threads = 2;
		Path data = Files.createTempDirectory("metering-soak");
		try (ConfigurableApplicationContext app = start(data)) {
			ChatClient chatClient = app.getBean(ChatClient.Builder.class).build();
			AtomicBoolean running = new AtomicBoolean(true);
			LongAdder calls = new LongAdder();
			List<Thread> workers = new ArrayList<>();
			long intervalNanos = 1_000_000_000L * threads / rate;
			for (int t = 0; t < threads; t++) {
				int thread = t;
				workers.add(new Thread(() -> {
					long next = System.nanoTime();
					int n = thread;
					while (running.get()) {
						String organization = "org_" + (n++ % ORGANIZATIONS);
						chatClient.prompt("What is the capital of France?")
							.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization))
							.call()
							.content();
						calls.increment();
						next += intervalNanos;
						LockSupport.parkNanos(next - System.nanoTime());
					}
				}, "soak-" + t));
			}
			workers.forEach(Thread::start);
			System.out.printf("%nSoak: %,d metered calls/s for %d minutes, heap cap %d MB, %s%n", rate, minutes,
					Runtime.getRuntime().maxMemory() / (1024 * 1024), "memory".equals(System.getProperty("store"))
							? "outbox and ledger in memory" : "outbox and ledger on an H2 file");
			Sample first = null;
			Sample last = null;
			for (int minute = 1; minute <= minutes; minute++) {
				Thread.sleep(Duration.ofMinutes(1).toMillis());
				last = Sample.take(calls.sum());
				first = (first != null) ? first : last;
				System.out.println("minute " + minute + ": " + last);
			}
			running.set(false);
			for (Thread worker : workers) {
				worker.join();
			}
			if (first != null && last != null) {
				System.out.printf("heap after full GC: %+.1f %% from minute 1 to minute %d; live threads: %+d%n",
						100.0 * (last.heapBytes() - first.heapBytes()) / first.heapBytes(), minutes,
						last.threads() - first.threads());
			}
		}
	}

	private static ConfigurableApplicationContext start(Path data) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.datasource.url",
				"jdbc:h2:file:" + data.resolve("soak") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
		properties.put("metering.jdbc.initialize-schema", "always");
		if ("memory".equals(System.getProperty("store"))) {
			// outbox, ledger and local meter in memory: the library's own memory, without
			// H2's
			properties.put("metering.outbox.store", "memory");
			properties.put("metering.limits.store", "memory");
		}
		properties.put("metering.meters.ai-tokens.event-name", "ai_tokens");
		properties.put("metering.meters.ai-tokens.limit-key", "aiTokens");
		properties.put("metering.plans.free.limits.aiTokens", Long.toString(Long.MAX_VALUE / 4));
		MeteredApplication.accounts(properties, ORGANIZATIONS, null);
		return MeteredApplication.start(properties);
	}

	/**
	 * Heap in use after a full collection, and live threads, after {@code calls} calls.
	 */
	record Sample(long calls, long heapBytes, int threads) {

		static Sample take(long calls) {
			MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
			memory.gc();
			memory.gc();
			return new Sample(calls, memory.getHeapMemoryUsage().getUsed(),
					ManagementFactory.getThreadMXBean().getThreadCount());
		}

		@Override
		public String toString() {
			return String.format("%,d calls, heap after full GC %.1f MB, %d live threads", this.calls,
					this.heapBytes / (1024.0 * 1024.0), this.threads);
		}

	}

}
