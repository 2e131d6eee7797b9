package dev.metering.provider.stripe;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.metering.BillingClient;
import dev.metering.actuate.MeteringEndpoint;
import dev.metering.reconcile.Reconciliation;
import dev.metering.reconcile.UsageReconciler;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;
import dev.metering.support.WireMockJournal;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation against a Stripe stub, through stripe-java: a Stripe that silently lost
 * one accepted event is caught with the exact difference, and a Stripe that counted
 * everything shows no drift. Coalescing is on, as by default: what is compared is what
 * was sent (the outbox's own tests show that merged events count once).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class StripeReconciliationTests {

	private static final Instant YESTERDAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));

	private static final Instant TODAY = YESTERDAY.plus(Duration.ofDays(1));

	@RegisterExtension
	private final StubServer stripe = new StubServer();

	@BeforeEach
	void reset() {
		this.stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
	}

	private ApplicationContextRunner contextRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:reconcile-" + UUID.randomUUID(),
					"metering.provider=stripe", "metering.stripe.api-key=sk_test_reconcile",
					"metering.stripe.api-base=" + this.stripe.baseUrl(),
					"metering.stripe.meter-events-base=" + this.stripe.baseUrl(),
					"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_tokens",
					"metering.meters.calls.event-name=api_calls", "metering.meters.calls.meter-id=mtr_calls",
					"metering.meters.calls.aggregation=count", "metering.outbox.sync=true",
					"metering.delivery.flush-interval=1h");
	}

	@Test
	void aStripeThatLostOneAcceptedEventIsCaughtWithTheExactDifference(CapturedOutput output) {
		contextRunner().run((context) -> {
			recordYesterday(context.getBean(BillingClient.class));
			List<SentEvent> sent = sentEvents();
			SentEvent lost = sent.stream()
				.filter((event) -> event.customerId().equals("cus_b"))
				.findFirst()
				.orElseThrow();
			summarize(sent, lost);

			Reconciliation reconciliation = context.getBean(UsageReconciler.class).reconcile(YESTERDAY, TODAY);

			assertThat(reconciliation.compared()).isEqualTo(2);
			assertThat(reconciliation.meters()).containsExactly("ai-tokens");
			assertThat(reconciliation.skippedMeters()).containsOnlyKeys("calls");
			assertThat(reconciliation.drifts()).singleElement().satisfies((drift) -> {
				assertThat(drift.meter()).isEqualTo("ai-tokens");
				assertThat(drift.customerId()).isEqualTo("cus_b");
				assertThat(drift.start()).isEqualTo(YESTERDAY);
				assertThat(drift.end()).isEqualTo(TODAY);
				assertThat(drift.delivered()).isEqualTo(total(sent, "cus_b"));
				assertThat(drift.difference()).isEqualTo(-lost.value());
			});
			assertThat(output).contains("Usage drift on meter 'ai-tokens' (event ai_tokens) for customer cus_b from "
					+ YESTERDAY + " to " + TODAY + ": delivered " + total(sent, "cus_b") + ", stripe counted "
					+ (total(sent, "cus_b") - lost.value()) + " (-" + lost.value() + " missing)");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("metering.reconcile.drift").tag("meter", "ai-tokens").gauge().value())
				.isEqualTo(lost.value());
			assertThat(registry.get("metering.reconcile.mismatches").tag("meter", "ai-tokens").counter().count())
				.isOne();
		});
	}

	@Test
	void aStripeThatCountedEverythingShowsNoDrift(CapturedOutput output) {
		contextRunner().withPropertyValues("management.endpoints.web.exposure.include=metering")
			.withConfiguration(MeteringAutoConfigurations
				.with(org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration.class))
			.run((context) -> {
				recordYesterday(context.getBean(BillingClient.class));
				summarize(sentEvents(), null);

				MeteringEndpoint.ReconciliationDescriptor answer = (MeteringEndpoint.ReconciliationDescriptor) context
					.getBean(MeteringEndpoint.class)
					.act("reconcile", null, YESTERDAY.toString(), TODAY.toString());

				assertThat(answer.compared()).isEqualTo(2);
				assertThat(answer.drifts()).isEmpty();
				assertThat(answer.failures()).isEmpty();
				assertThat(output).doesNotContain("Usage drift");
				assertThat(context.getBean(MeterRegistry.class)
					.get("metering.reconcile.drift")
					.tag("meter", "ai-tokens")
					.gauge()
					.value()).isZero();
			});
	}

	@Test
	void aCustomerStripeCannotAnswerIsAFailureAndTheOthersAreStillCompared() {
		contextRunner().run((context) -> {
			recordYesterday(context.getBean(BillingClient.class));
			List<SentEvent> sent = sentEvents();
			summarize(sent, null);
			this.stripe.stubFor(StripeStub.eventSummaries("mtr_tokens")
				.withQueryParam("customer", equalTo("cus_a"))
				.willReturn(StripeStub.error(500, "api_error", null, "An unknown error occurred")));

			Reconciliation reconciliation = context.getBean(UsageReconciler.class).reconcile(YESTERDAY, TODAY);

			assertThat(reconciliation.compared()).isOne();
			assertThat(reconciliation.drifts()).isEmpty();
			assertThat(reconciliation.failures()).singleElement().satisfies((failure) -> {
				assertThat(failure.customerId()).isEqualTo("cus_a");
				assertThat(failure.error()).contains("An unknown error occurred").doesNotContain("sk_test");
			});
		});
	}

	/**
	 * Two customers' usage of yesterday, in several hours (so several events per customer
	 * after coalescing), and a count meter's, all delivered.
	 */
	private void recordYesterday(BillingClient billing) {
		for (int i = 0; i < 12; i++) {
			Instant at = YESTERDAY.plus(Duration.ofHours(1 + (i % 3) * 5)).plusSeconds(i);
			assertThat(billing.recordUsage("ai_tokens", (i % 2 == 0) ? "cus_a" : "cus_b", 10 + i, at).recorded())
				.isTrue();
		}
		assertThat(billing
			.recordUsage("ai_tokens", "cus_a", 1000,
					TODAY.plusSeconds(1).isAfter(Instant.now()) ? Instant.now() : TODAY.plusSeconds(1))
			.recorded()).as("today's, outside the window").isTrue();
		assertThat(billing.recordUsage("api_calls", "cus_a", 1, YESTERDAY.plusSeconds(60)).recorded()).isTrue();
		assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
	}

	/**
	 * Answers Stripe's event summaries of yesterday with what it was sent, less
	 * {@code lost}.
	 */
	private void summarize(List<SentEvent> sent, SentEvent lost) {
		Map<String, Long> counted = new HashMap<>();
		sent.stream()
			.filter((event) -> event.eventName().equals("ai_tokens") && event != lost)
			.filter((event) -> !event.timestamp().isBefore(YESTERDAY) && event.timestamp().isBefore(TODAY))
			.forEach((event) -> counted.merge(event.customerId(), event.value(), Long::sum));
		counted.forEach((customer,
				value) -> this.stripe.stubFor(StripeStub.eventSummaries("mtr_tokens")
					.withQueryParam("customer", equalTo(customer))
					.withQueryParam("start_time", equalTo(Long.toString(YESTERDAY.getEpochSecond())))
					.withQueryParam("end_time", equalTo(Long.toString(TODAY.getEpochSecond())))
					.willReturn(StripeStub.summaries("mtr_tokens", false,
							new long[] { YESTERDAY.getEpochSecond(), TODAY.getEpochSecond(), value }))));
	}

	private static long total(List<SentEvent> sent, String customerId) {
		return sent.stream()
			.filter((event) -> event.eventName().equals("ai_tokens") && event.customerId().equals(customerId))
			.filter((event) -> event.timestamp().isBefore(TODAY))
			.mapToLong(SentEvent::value)
			.sum();
	}

	/** The events Stripe accepted, as they went over the wire. */
	private List<SentEvent> sentEvents() {
		List<SentEvent> sent = new ArrayList<>();
		WireMockJournal.completed(this.stripe)
			.stream()
			.filter((event) -> event.getRequest().getUrl().equals(StripeStub.METER_EVENTS))
			.filter((event) -> event.getResponse().getStatus() == 200)
			.map((event) -> event.getRequest())
			.forEach((request) -> sent.add(SentEvent.of(request)));
		return sent;
	}

	record SentEvent(String eventName, String customerId, long value, Instant timestamp) {

		static SentEvent of(LoggedRequest request) {
			return new SentEvent(request.formParameter("event_name").firstValue(),
					request.formParameter("payload[stripe_customer_id]").firstValue(),
					Long.parseLong(request.formParameter("payload[value]").firstValue()),
					Instant.ofEpochSecond(Long.parseLong(request.formParameter("timestamp").firstValue())));
		}

	}

}
