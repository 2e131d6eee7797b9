package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.outbox.OutboxEntry;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Each delivery pass is observed as {@code metering.delivery} with what became of its
 * events, and each request to the provider within it as
 * {@code metering.provider.requests} with its outcome.
 */
class DeliveryObservationTests {

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	private final InMemoryUsageOutbox outbox = new InMemoryUsageOutbox(Clock.systemUTC());

	private final UsageDispatcherTests.ScriptedProvider provider = new UsageDispatcherTests.ScriptedProvider();

	@Test
	void aPassIsObservedWithWhatBecameOfItsEventsInEveryLane() {
		this.provider.script(DeliveryOutcome.retry("503"));
		this.outbox.append(event("usage_1", "cus_1"));
		this.outbox.append(event("usage_2", "cus_2"));

		deliverAll();

		assertThat(this.observations).hasObservationWithNameEqualTo("metering.delivery")
			.that()
			.hasContextualNameEqualTo("scripted delivery pass")
			.hasLowCardinalityKeyValue("provider", "scripted")
			.hasLowCardinalityKeyValue("trigger", "pass")
			.doesNotHaveError();
		assertThat(this.observations).hasHandledContextsThatSatisfy((contexts) -> {
			List<DeliveryObservationContext> passes = passes(contexts);
			assertThat(passes.stream().mapToLong(DeliveryObservationContext::getDelivered).sum()).isEqualTo(2);
			assertThat(passes.stream().mapToLong(DeliveryObservationContext::getRetried).sum()).isOne();
			assertThat(passes.stream().mapToInt((pass) -> pass.getDeliveryLatencies().size()).sum()).isEqualTo(2);
		});
	}

	@Test
	void eachRequestIsObservedWithinItsPassWithItsOutcome() {
		this.provider.script(DeliveryOutcome.rejected("resource_missing", "No such customer: 'cus_gone'"));
		this.outbox.append(event("usage_1", "cus_1"));

		deliverAll();

		assertThat(this.observations).hasObservationWithNameEqualTo("metering.provider.requests")
			.that()
			.hasContextualNameEqualTo("scripted deliver")
			.hasLowCardinalityKeyValue("provider", "scripted")
			.hasLowCardinalityKeyValue("outcome", "rejected")
			.hasHighCardinalityKeyValue("metering.events", "1")
			.hasParentObservationContextMatching((parent) -> "metering.delivery".equals(parent.getName()))
			.doesNotHaveError();
		assertThat(this.observations).hasHandledContextsThatSatisfy((contexts) -> assertThat(passes(contexts))
			.anySatisfy((pass) -> assertThat(pass.getDeadLettered()).isOne()));
	}

	@Test
	void aRequestThatThrowsIsObservedWithItsError() {
		this.provider.script((DeliveryOutcome) null);
		this.outbox.append(event("usage_1", "cus_1"));

		deliverAll();

		assertThat(this.observations).hasObservationWithNameEqualTo("metering.provider.requests")
			.that()
			.hasLowCardinalityKeyValue("outcome", "error")
			.assertThatError()
			.isInstanceOf(IllegalStateException.class)
			.hasMessage("connection reset");
	}

	@Test
	void aPassThatFailsIsObservedWithItsError() {
		DeliveryQueue unreachable = new UnreachableQueue();
		DeliveryPass pass = new DeliveryPass(unreachable, this.provider,
				new CustomerNaming(unreachable, (subject) -> Optional.empty(), "scripted", Duration.ofSeconds(1),
						Clock.systemUTC()),
				new OutcomeSettler(unreachable, new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 4),
						this.observations, "scripted", Clock.systemUTC()),
				Set.of(), this.observations, null);

		assertThatIllegalStateException().isThrownBy(() -> pass.run(Instant.now()));

		assertThat(this.observations).hasObservationWithNameEqualTo("metering.delivery")
			.that()
			.hasLowCardinalityKeyValue("trigger", "pass")
			.assertThatError()
			.hasMessage("database unreachable");
	}

	@Test
	void theApplicationsConventionNamesTheObservations() {
		UsageDispatcher dispatcher = dispatcher();
		dispatcher.setObservationConvention(new DefaultDeliveryObservationConvention() {

			@Override
			public String getName() {
				return "billing.delivery";
			}

		});
		this.outbox.append(event("usage_1", "cus_1"));

		deliverAll(dispatcher);

		assertThat(this.observations).hasObservationWithNameEqualTo("billing.delivery")
			.that()
			.hasLowCardinalityKeyValue("provider", "scripted");
	}

	private void deliverAll() {
		deliverAll(dispatcher());
	}

	private void deliverAll(UsageDispatcher dispatcher) {
		dispatcher.start();
		try {
			assertThat(dispatcher.flush(Duration.ofSeconds(5))).isTrue();
		}
		finally {
			dispatcher.stop();
		}
	}

	private UsageDispatcher dispatcher() {
		return new UsageDispatcher(this.outbox, this.provider, (subject) -> Optional.empty(),
				new DeliverySettings(new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 4),
						Duration.ofMillis(20), Duration.ofSeconds(2), 4, Set.of(), Duration.ofDays(7),
						Duration.ofMillis(50)),
				Clock.systemUTC(), this.observations);
	}

	private static List<DeliveryObservationContext> passes(List<Observation.Context> contexts) {
		return contexts.stream()
			.filter(DeliveryObservationContext.class::isInstance)
			.map(DeliveryObservationContext.class::cast)
			.toList();
	}

	private static UsageEvent event(String identifier, String customerId) {
		return new UsageEvent(identifier, "ai_tokens", customerId, 5, Instant.now());
	}

	/** An outbox whose database went away. */
	private static final class UnreachableQueue implements DeliveryQueue {

		@Override
		public List<OutboxEntry> due(Instant now, int max) {
			throw new IllegalStateException("database unreachable");
		}

		@Override
		public void markDelivered(String identifier) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void scheduleRetry(String identifier, Instant nextAttemptAt, String error) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void hold(String identifier, Instant nextAttemptAt, String reason) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void deadLetter(String identifier, String code, String message, Instant failedAt) {
			throw new UnsupportedOperationException();
		}

		@Override
		public long pendingCount() {
			return 0;
		}

	}

}
