package dev.metering.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.sun.management.OperatingSystemMXBean;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.context.ConfigurableApplicationContext;

import dev.metering.MeteringAdvisor;

/**
 * One instance of the scale harness, in a JVM of its own: a metered application on the
 * shared PostgreSQL database, billing the Stripe stub, that makes its share of the load
 * when {@link ScaleLoad} tells it to. It talks to the coordinator in lines: it prints
 * {@code scale ready} once started and warmed up, reads {@code go <start epoch ms>
 * <duration ms>}, makes its calls at a steady rate, prints {@code scale result …} with
 * what it measured, and reads {@code stop} before it shuts down. Each calling thread
 * writes its calls to a file of {@link CallRecords}.
 * <p>
 * Instance {@code i} of {@code n} makes calls {@code i}, {@code i + n}, {@code i + 2n}, …
 * of the {@link OrganizationMix}, {@code -Dscale.rate} a second; each metered call is
 * paired with an unmetered one through a plain ChatClient on the same model, the baseline
 * of the time metering adds.
 */
public final class ScaleInstance {

	private static final String PROMPT = "What is the capital of France?";

	private static final int WARM_UP_CALLS = 2_000;

	private ScaleInstance() {
	}

	public static void main(String[] args) throws Exception {
		int index = Integer.getInteger("scale.instance", 0);
		int instances = Integer.getInteger("scale.instances", 1);
		int rate = Integer.getInteger("scale.rate", 100);
		int threads = Integer.getInteger("scale.threads", 32);
		OrganizationMix mix = new OrganizationMix(Integer.getInteger("scale.organizations", 1000),
				Integer.getInteger("scale.busy", 10), Integer.getInteger("scale.busyEvery", 5));
		Path records = Path.of(required("scale.records"));
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		try (ConfigurableApplicationContext app = start(required("scale.jdbc-url"), required("scale.stripe-base"))) {
			ChatClient metered = app.getBean(ChatClient.Builder.class).build();
			ChatClient plain = ChatClient.builder(app.getBean(ChatModel.class)).build();
			List<CallRecords.Writer> writers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				writers.add(new CallRecords.Writer(records.resolve("instance-" + index + "-thread-" + t + ".calls")));
			}
			CallRecords.Writer warmUp = writers.get(0);
			for (int i = 0; i < WARM_UP_CALLS; i++) {
				call(metered, "org_0");
				warmUp.warmUp(0, System.currentTimeMillis());
				plain.prompt(PROMPT).call().content();
			}
			System.out.println("scale ready");
			String[] go = commands.readLine().split(" ");
			Load load = new Load(metered, plain, mix, index, instances, rate, Long.parseLong(go[1]),
					Long.parseLong(go[2]));
			boolean[] active = new boolean[mix.organizations()];
			long heapBefore = heapAfterFullGc();
			OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
			long cpuBefore = os.getProcessCpuTime();
			load.run(writers, active);
			long nanos = Math.min(System.nanoTime(), load.endNanos) - load.startNanos;
			long cpu = os.getProcessCpuTime() - cpuBefore;
			writers.forEach(CallRecords.Writer::close);
			long heapAfter = heapAfterFullGc();
			int activeCount = 0;
			for (boolean organization : active) {
				activeCount += organization ? 1 : 0;
			}
			System.out.printf(
					"scale result calls=%d failures=%d nanos=%d cpuNanos=%d heapBefore=%d heapAfter=%d "
							+ "active=%d%n",
					load.calls.get(), load.failures.get(), nanos, cpu, heapBefore, heapAfter, activeCount);
			String stop = commands.readLine();
			if (!"stop".equals(stop)) {
				throw new IllegalStateException("Expected stop, read " + stop);
			}
		}
	}

	private static String required(String name) {
		String value = System.getProperty(name);
		if (value == null) {
			throw new IllegalArgumentException("-D" + name + " is required");
		}
		return value;
	}

	private static void call(ChatClient metered, String organization) {
		metered.prompt(PROMPT).advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization)).call().content();
	}

	private static long heapAfterFullGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		memory.gc();
		memory.gc();
		return memory.getHeapMemoryUsage().getUsed();
	}

	/**
	 * The application: the starter with the Stripe provider against the stub, outbox and
	 * ledger in the database, a limit on every call (far away) so that the ledger works,
	 * and customers found by Stripe's search. {@code -Dmetering.…} properties given to
	 * the JVM override these.
	 */
	private static ConfigurableApplicationContext start(String jdbcUrl, String stripeBase) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.datasource.url", jdbcUrl);
		properties.put("spring.datasource.username", "postgres");
		properties.put("metering.jdbc.initialize-schema", "always");
		MeteredApplication.limitedOnStripe(properties, stripeBase);
		return MeteredApplication.start(properties);
	}

	/**
	 * The instance's share of the load: each thread takes every {@code threads}-th slot
	 * of the instance's schedule and waits for its time, so that a call held up (by a
	 * look-up at Stripe, say) delays only its own thread.
	 */
	private static final class Load {

		private final ChatClient metered;

		private final ChatClient plain;

		private final OrganizationMix mix;

		private final int index;

		private final int instances;

		private final long intervalNanos;

		private final long startNanos;

		private final long endNanos;

		private final AtomicLong calls = new AtomicLong();

		private final AtomicLong failures = new AtomicLong();

		Load(ChatClient metered, ChatClient plain, OrganizationMix mix, int index, int instances, int rate,
				long startMillis, long durationMillis) {
			this.metered = metered;
			this.plain = plain;
			this.mix = mix;
			this.index = index;
			this.instances = instances;
			this.intervalNanos = 1_000_000_000L / rate;
			this.startNanos = System.nanoTime() + (startMillis - System.currentTimeMillis()) * 1_000_000;
			this.endNanos = this.startNanos + durationMillis * 1_000_000;
		}

		void run(List<CallRecords.Writer> writers, boolean[] active) throws InterruptedException {
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < writers.size(); t++) {
				int thread = t;
				CallRecords.Writer writer = writers.get(t);
				threads.add(new Thread(() -> calls(thread, writers.size(), writer, active), "scale-" + t));
			}
			threads.forEach(Thread::start);
			for (Thread thread : threads) {
				thread.join();
			}
		}

		private void calls(int thread, int threads, CallRecords.Writer writer, boolean[] active) {
			for (long slot = thread;; slot += threads) {
				long due = this.startNanos + slot * this.intervalNanos;
				// a thread that fell behind does not make up for it after the end: the
				// run lasts its duration, and the rate reached shows what was missed
				if (due >= this.endNanos || System.nanoTime() >= this.endNanos) {
					return;
				}
				LockSupport.parkNanos(due - System.nanoTime());
				int organization = this.mix.organizationOf(this.index + slot * this.instances);
				active[organization] = true;
				// the plain call first on every other slot, so that neither gains from
				// the other's warm caches
				if (slot % 2 == 0) {
					plain(writer);
				}
				metered(writer, organization);
				if (slot % 2 != 0) {
					plain(writer);
				}
			}
		}

		private void metered(CallRecords.Writer writer, int organization) {
			long start = System.nanoTime();
			boolean succeeded = true;
			try {
				call(this.metered, "org_" + organization);
			}
			catch (RuntimeException ex) {
				succeeded = false;
				if (this.failures.getAndIncrement() == 0) {
					System.out.println("first failed call: " + ex);
				}
			}
			long nanos = System.nanoTime() - start;
			this.calls.incrementAndGet();
			writer.metered(organization, System.currentTimeMillis(), nanos, succeeded);
		}

		private void plain(CallRecords.Writer writer) {
			long start = System.nanoTime();
			this.plain.prompt(PROMPT).call().content();
			writer.plain(System.nanoTime() - start);
		}

	}

}
