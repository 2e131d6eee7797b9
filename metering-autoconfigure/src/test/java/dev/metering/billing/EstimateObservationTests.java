package dev.metering.billing;

import java.time.Instant;

import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import dev.metering.support.MutableClock;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;

/**
 * Every round trip billed by estimate is observed as {@code metering.estimate}, named
 * after the model, with the model and the reason as keys and the tokens billed as a
 * high-cardinality key.
 */
class EstimateObservationTests {

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	private final EstimatedUsage estimates = new EstimatedUsage(this.observations,
			new MutableClock(Instant.parse("2026-12-01T10:00:00Z")));

	@Test
	void aResponseWithoutUsageIsObservedAsAnEstimate() {
		this.estimates.unreported("llama3", 30);

		assertThat(this.observations).hasSingleObservationThat()
			.hasNameEqualTo("metering.estimate")
			.hasContextualNameEqualTo("estimate llama3")
			.hasLowCardinalityKeyValue("model", "llama3")
			.hasLowCardinalityKeyValue("reason", "unreported")
			.hasHighCardinalityKeyValue("metering.tokens", "30")
			.doesNotHaveError();
	}

	@Test
	void aStreamCutShortIsObservedWithWhyItEnded() {
		this.estimates.cutShort("gpt-4o-mini", "cancelled", 12);

		assertThat(this.observations).hasSingleObservationThat()
			.hasNameEqualTo("metering.estimate")
			.hasLowCardinalityKeyValue("model", "gpt-4o-mini")
			.hasLowCardinalityKeyValue("reason", "cancelled");
	}

}
