package dev.metering.billing;

import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.metering.metrics.MeteringMeters;
import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every round trip billed by estimate is counted by model and reason; a model that
 * answers without usage is named in a warning at most once a minute.
 */
@ExtendWith(OutputCaptureExtension.class)
class EstimatedUsageTests {

	private final MeterRegistry registry = new SimpleMeterRegistry();

	private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

	private final EstimatedUsage estimates = new EstimatedUsage(countingOn(this.registry), this.clock);

	@Test
	void everyEstimateIsCountedByModelAndReason() {
		this.estimates.unreported("llama3", 30);
		this.estimates.unreported("llama3", 30);
		this.estimates.cutShort("gpt-4o-mini", "cancelled", 12);
		this.estimates.cutShort("gpt-4o-mini", "failed", 12);

		assertThat(estimated("llama3", "unreported")).isEqualTo(2);
		assertThat(estimated("gpt-4o-mini", "cancelled")).isOne();
		assertThat(estimated("gpt-4o-mini", "failed")).isOne();
	}

	@Test
	void aModelWithoutUsageIsWarnedAboutAtMostOnceAMinute(CapturedOutput output) {
		this.estimates.unreported("llama3", 30);
		this.estimates.unreported("llama3", 31);
		this.estimates.unreported("mistral-small", 40);
		this.clock.set(this.clock.instant().plus(Duration.ofSeconds(59)));
		this.estimates.unreported("llama3", 32);
		assertThat(warnings(output, "llama3")).isOne();
		assertThat(warnings(output, "mistral-small")).isOne();

		this.clock.set(this.clock.instant().plus(Duration.ofSeconds(1)));
		this.estimates.unreported("llama3", 33);

		assertThat(warnings(output, "llama3")).isEqualTo(2);
		assertThat(output)
			.contains("Model 'llama3' answered without reporting its usage; billed an estimate of 33 tokens");
		assertThat(estimated("llama3", "unreported")).isEqualTo(4);
	}

	@Test
	void aStreamCutShortIsNoWarning(CapturedOutput output) {
		this.estimates.cutShort("gpt-4o-mini", "cancelled", 12);

		assertThat(output).doesNotContain("WARN");
	}

	private double estimated(String model, String reason) {
		return this.registry.get("metering.usage.estimated")
			.tag("model", model)
			.tag("reason", reason)
			.counter()
			.count();
	}

	/** Observations of estimates that count them on {@code registry}. */
	private static ObservationRegistry countingOn(MeterRegistry registry) {
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(MeteringMeters.estimates(registry));
		return observations;
	}

	private static long warnings(CapturedOutput output, String model) {
		return output.getAll()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("Model '" + model + "'"))
			.count();
	}

}
