package dev.metering.provider.stripe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.delivery.UsageDispatcher;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MutableClock;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Cancelling usage with Stripe, against a WireMock server speaking Stripe's wire format:
 * a delivered event through a v2 meter event adjustment within Stripe's 24 hours, an
 * event still in the outbox without a word to Stripe.
 */
class StripeCancelUsageTests {

	private static final String ADJUSTMENTS = "/v2/billing/meter_event_adjustments";

	private static final Instant NOW = Instant.parse("2027-03-10T12:00:00Z");

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	private final MutableClock clock = new MutableClock(NOW);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_123",
				"metering.stripe.api-base=" + stripe.baseUrl(), "metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.delivery.flush-interval=1h", "metering.delivery.coalesce=false");

	@Test
	void aDeliveredEventIsCancelledThroughAMeterEventAdjustment() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		stripe.stubFor(post(urlEqualTo(ADJUSTMENTS)).willReturn(adjustmentCreated()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			String identifier = delivered(billing);

			assertThat(billing.cancelUsage(identifier)).isTrue();

			LoggedRequest adjustment = stripe.findAll(postRequestedFor(urlEqualTo(ADJUSTMENTS))).get(0);
			assertThat(adjustment.getHeader("Authorization")).isEqualTo("Bearer sk_test_123");
			assertThat(equalToJson("{\"event_name\":\"ai_tokens\",\"type\":\"cancel\",\"cancel\":{\"identifier\":\""
					+ identifier + "\"}}")
				.match(adjustment.getBodyAsString())
				.isExactMatch()).as(adjustment.getBodyAsString()).isTrue();
			assertThat(billing.cancelUsage(identifier)).as("cancelled already").isFalse();
			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(ADJUSTMENTS)))).hasSize(1);
		});
	}

	@Test
	void anEventStillInTheOutboxIsNeverSentToStripe() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			UsageDispatcher delivery = context.getBean(UsageDispatcher.class);
			// no pass may take the event before it is cancelled
			delivery.stop();
			String identifier = billing.recordUsage("ai_tokens", "cus_a", 5).identifier();

			assertThat(billing.cancelUsage(identifier)).isTrue();
			delivery.start();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStub.METER_EVENTS)))).isEmpty();
			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(ADJUSTMENTS)))).isEmpty();
		});
	}

	@Test
	void anEventDeliveredMoreThan24HoursAgoIsRefusedAndStaysCounted() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		stripe.stubFor(post(urlEqualTo(ADJUSTMENTS)).willReturn(adjustmentCreated()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			String identifier = delivered(billing);

			this.clock.set(NOW.plus(Duration.ofHours(24)).plusSeconds(1));

			assertThatIllegalStateException().isThrownBy(() -> billing.cancelUsage(identifier))
				.withMessageContaining("within 24 hours")
				.withMessageContaining(identifier);
			assertThatIllegalStateException().as("still delivered").isThrownBy(() -> billing.cancelUsage(identifier));
			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(ADJUSTMENTS)))).isEmpty();
		});
	}

	@Test
	void aRefusalByStripeLeavesTheEventDelivered() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		stripe.stubFor(post(urlEqualTo(ADJUSTMENTS))
			.willReturn(StripeStub.error(400, "invalid_request_error", null, "No meter event with identifier found")));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			String identifier = delivered(billing);

			assertRefusedByStripe(billing, identifier);
			assertRefusedByStripe(billing, identifier);
			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(ADJUSTMENTS)))).as("tried again").hasSize(2);
		});
	}

	/** Records an event and delivers it to Stripe. */
	private static String delivered(BillingClient billing) {
		String identifier = billing.recordUsage("ai_tokens", "cus_a", 5).identifier();
		assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		return identifier;
	}

	private static void assertRefusedByStripe(BillingClient billing, String identifier) {
		assertThatExceptionOfType(StripeProviderException.class).isThrownBy(() -> billing.cancelUsage(identifier))
			.withMessageContaining("Could not cancel meter event '" + identifier + "' at Stripe");
	}

	/** Stripe's answer to a meter event adjustment, as its API reference shows it. */
	private static ResponseDefinitionBuilder adjustmentCreated() {
		return StripeStub.json(200,
				"{\"object\":\"v2.billing.meter_event_adjustment\",\"id\":\"mtr_event_adj_12345678\","
						+ "\"livemode\":false,\"created\":\"2027-03-10T12:00:00.000Z\",\"status\":\"pending\","
						+ "\"event_name\":\"ai_tokens\",\"type\":\"cancel\",\"cancel\":{\"identifier\":\"usage_x\"}}");
	}

}
