package dev.metering.webhook;

import java.time.Clock;
import java.util.List;

import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import dev.metering.delivery.DeliveryObservationContext;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.provider.ProviderEvent;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Usage a provider refused after accepting it is dead-lettered in a
 * {@code metering.delivery} observation the webhook triggered, which tells what the
 * refusals found.
 */
class ProviderEventHandlerObservationTests {

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	private final ProviderEventHandler handler = new ProviderEventHandler("stripe", (changes) -> {
	}, new InMemoryUsageOutbox(Clock.systemUTC()), this.observations, Clock.systemUTC());

	@Test
	void refusalsReportedAfterDeliveryAreObservedAsADeliveryTheWebhookTriggered() {
		this.handler.handle(new ProviderEvent.UsageRefused(
				List.of(new ProviderEvent.Refusal("usage_gone", "meter_event_customer_not_found", "No customer")), 1,
				"2 invalid events"));

		assertThat(this.observations).hasObservationWithNameEqualTo("metering.delivery")
			.that()
			.hasContextualNameEqualTo("stripe late refusals")
			.hasLowCardinalityKeyValue("provider", "stripe")
			.hasLowCardinalityKeyValue("trigger", "webhook")
			.doesNotHaveError();
		assertThat(this.observations).hasHandledContextsThatSatisfy((contexts) -> assertThat(contexts).singleElement()
			.isInstanceOfSatisfying(DeliveryObservationContext.class, (context) -> {
				assertThat(context.getRefusedLate(false)).as("one unknown identifier, one refusal without one")
					.isEqualTo(2);
				assertThat(context.getRefusedLate(true)).isZero();
				assertThat(context.getDeadLettered()).isZero();
			}));
	}

}
