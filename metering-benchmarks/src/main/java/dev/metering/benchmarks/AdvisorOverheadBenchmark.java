package dev.metering.benchmarks;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

import dev.metering.MeteringAdvisor;
import dev.metering.autoconfigure.LocalMeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringChatClientAutoConfiguration;

/**
 * What the metering advisors add to one ChatClient call against a model that answers at
 * once: compare {@code mode=plain} (no metering) with {@code metered} (no limit on the
 * meter) and {@code limited} (a plan limit checked before every call), and those with
 * {@code credits} and {@code credits-limited}, where the meter records credits priced by
 * the model the response names (the difference is what pricing costs), for a call and for
 * a stream of {@value #CHUNKS} chunks. {@code pass-through} has one advisor that does
 * nothing: what Spring AI's advisor chain charges for any advisor. Run it with
 * {@code -prof gc} for the bytes each adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AdvisorOverheadBenchmark {

	/** Chunks of a streamed answer; the last one carries the usage, as OpenAI's do. */
	static final int CHUNKS = 50;

	@Param({ "plain", "pass-through", "metered", "limited", "credits", "credits-limited" })
	public String mode;

	@Param({ "short", "long" })
	public String promptSize;

	private @Nullable AnnotationConfigApplicationContext context;

	private ChatClient chatClient;

	private String prompt;

	@Setup(Level.Trial)
	public void setUp() {
		this.prompt = "short".equals(this.promptSize) ? "What is the capital of France?"
				: "Summarize this document. ".repeat(2000);
		ChatClient.Builder builder = ChatClient.builder(new InstantChatModel(CHUNKS));
		if ("pass-through".equals(this.mode)) {
			builder.defaultAdvisors(new PassThroughAdvisor(MeteringAdvisor.DEFAULT_ORDER));
		}
		else if (!"plain".equals(this.mode)) {
			this.context = meteringContext(this.mode.endsWith("limited"), this.mode.startsWith("credits"));
			this.context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		}
		this.chatClient = builder.build();
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Benchmark
	public @Nullable String call() {
		return this.chatClient.prompt(this.prompt)
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_bench"))
			.call()
			.content();
	}

	@Benchmark
	public @Nullable ChatResponse stream() {
		return this.chatClient.prompt(this.prompt)
			.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_bench"))
			.stream()
			.chatResponse()
			.blockLast();
	}

	private static AnnotationConfigApplicationContext meteringContext(boolean limited, boolean credits) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		Map<String, Object> properties = new java.util.HashMap<>(
				Map.of("metering.accounts.org_bench.customer-id", "cus_bench", "metering.delivery.flush-interval",
						"100ms", "metering.meters.ai-tokens.event-name", "ai_tokens"));
		if (limited) {
			properties.put("metering.meters.ai-tokens.limit-key", "aiTokens");
			properties.put("metering.plans.free.limits.aiTokens", Long.toString(Long.MAX_VALUE / 2));
		}
		if (credits) {
			// 1.62 credits a call: every call records an event, as in the token modes,
			// and
			// carries a rounding remainder
			properties.put("metering.meters.ai-tokens.unit", "credits");
			properties.put("metering.pricing.models.[gpt-4o*].input", "250000");
			properties.put("metering.pricing.models.[gpt-4o*].output", "1000000");
			properties.put("metering.pricing.models.[gpt-4o-mini*].input", "50000");
			properties.put("metering.pricing.models.[gpt-4o-mini*].output", "150000");
			properties.put("metering.pricing.default.input", "1000000");
			properties.put("metering.pricing.default.output", "1000000");
			properties.put("metering.pricing.markup", "20");
		}
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("benchmark", properties));
		// in the order Boot would apply them: provider, core, then the advisor
		context.register(LocalMeteringAutoConfiguration.class, MeteringAutoConfiguration.class,
				MeteringChatClientAutoConfiguration.class);
		context.refresh();
		return context;
	}

}
