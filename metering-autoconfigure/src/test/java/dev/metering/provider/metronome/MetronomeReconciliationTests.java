package dev.metering.provider.metronome;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.reconcile.Reconciliation;
import dev.metering.reconcile.UsageReconciler;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation against a Metronome stub, read over whole hours: a window that starts
 * and ends inside hours is compared with what was delivered over the hours Metronome
 * counted, for every customer alike.
 */
class MetronomeReconciliationTests {

	private static final String METRIC_ID = "0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01";

	private static final String CUSTOMER_A = "1ed86915-97f1-4d92-8fa6-763c0235093a";

	private static final String CUSTOMER_B = "541be796-88fa-4081-8f8f-7ac230c43b2c";

	private static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));

	@RegisterExtension
	private static final StubServer metronome = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:metronome-reconcile-" + UUID.randomUUID(),
				"metering.provider=metronome", "metering.metronome.api-token=reconcile-token",
				"metering.metronome.base-url=" + metronome.baseUrl(), "metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.meter-id=" + METRIC_ID, "metering.outbox.sync=true",
				"metering.delivery.flush-interval=1h", "metering.delivery.coalesce=false");

	@Test
	void aWindowInsideHoursIsComparedOverTheHoursMetronomeCounted() {
		metronome.stubFor(MetronomeStub.ingest().willReturn(MetronomeStub.ingested()));
		// Metronome's totals of 10:00 to 12:00, the hours holding the window: it lost 1
		// of B's
		metronome.stubFor(MetronomeStub.usage()
			.withRequestBody(matchingJsonPath("$.customer_ids[0]", equalTo(CUSTOMER_A)))
			.willReturn(MetronomeStub.usageOf(CUSTOMER_A, METRIC_ID, "PT2H", at(10, 0).toString(), 12)));
		metronome.stubFor(MetronomeStub.usage()
			.withRequestBody(matchingJsonPath("$.customer_ids[0]", equalTo(CUSTOMER_B)))
			.willReturn(MetronomeStub.usageOf(CUSTOMER_B, METRIC_ID, "PT2H", at(10, 0).toString(), 6)));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.recordUsage("ai_tokens", CUSTOMER_A, 7, at(10, 10));
			billing.recordUsage("ai_tokens", CUSTOMER_A, 5, at(10, 45));
			billing.recordUsage("ai_tokens", CUSTOMER_B, 3, at(11, 15));
			billing.recordUsage("ai_tokens", CUSTOMER_B, 4, at(11, 50));
			billing.recordUsage("ai_tokens", CUSTOMER_B, 100, at(12, 0));
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();

			Reconciliation reconciliation = context.getBean(UsageReconciler.class).reconcile(at(10, 30), at(11, 30));

			assertThat(reconciliation.compared()).isEqualTo(2);
			assertThat(reconciliation.failures()).isEmpty();
			assertThat(reconciliation.drifts()).singleElement().satisfies((drift) -> {
				assertThat(drift.customerId()).isEqualTo(CUSTOMER_B);
				assertThat(drift.start()).isEqualTo(at(10, 0));
				assertThat(drift.end()).isEqualTo(at(12, 0));
				assertThat(drift.delivered()).isEqualTo(7);
				assertThat(drift.counted()).isEqualTo(6);
				assertThat(drift.difference()).isEqualTo(-1);
			});
		});
	}

	private static Instant at(int hour, int minute) {
		return DAY.plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
	}

}
