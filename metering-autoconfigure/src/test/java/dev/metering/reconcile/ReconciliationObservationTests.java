package dev.metering.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import dev.metering.outbox.DeliveredUsage;
import dev.metering.provider.local.InMemoryLocalMeterStore;
import dev.metering.provider.local.LocalMeterProvider;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Each reconciliation is observed as {@code metering.reconciliation}, named after the
 * provider, with what it found as its outcome.
 */
class ReconciliationObservationTests {

	private static final Instant END = Instant.parse("2026-12-01T00:00:00Z");

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	@Test
	void aReconciliationIsObservedWithWhatItFound() {
		reconciler((eventNames, start, end) -> List.of()).reconcile(END.minus(Duration.ofDays(1)), END);

		assertThat(this.observations).hasSingleObservationThat()
			.hasNameEqualTo("metering.reconciliation")
			.hasContextualNameEqualTo("local reconciliation")
			.hasLowCardinalityKeyValue("provider", "local")
			.hasLowCardinalityKeyValue("outcome", "agreed")
			.doesNotHaveError();
	}

	@Test
	void aReconciliationThatFailsIsObservedWithItsError() {
		UsageReconciler reconciler = reconciler((eventNames, start, end) -> {
			throw new IllegalStateException("database unreachable");
		});

		assertThatIllegalStateException().isThrownBy(() -> reconciler.reconcile(END.minus(Duration.ofDays(1)), END));

		assertThat(this.observations).hasSingleObservationThat()
			.hasNameEqualTo("metering.reconciliation")
			.hasLowCardinalityKeyValue("outcome", "error")
			.assertThatError()
			.hasMessage("database unreachable");
	}

	private UsageReconciler reconciler(DeliveredUsage outbox) {
		return new UsageReconciler(outbox, new LocalMeterProvider(new InMemoryLocalMeterStore()), List.of(),
				Duration.ofDays(1), this.observations, Clock.systemUTC());
	}

}
