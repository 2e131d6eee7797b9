package dev.metering.provider.polar;

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
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation against a Polar stub, which sums whole hours: a window that starts and
 * ends inside hours is compared with what was delivered over the hours Polar counted, for
 * every customer alike.
 */
class PolarReconciliationTests {

	private static final String METER_ID = "0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01";

	private static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));

	@RegisterExtension
	private static final StubServer polar = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:polar-reconcile-" + UUID.randomUUID(),
				"metering.provider=polar", "metering.polar.access-token=polar_oat_reconcile",
				"metering.polar.base-url=" + polar.baseUrl(), "metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.meter-id=" + METER_ID, "metering.outbox.sync=true",
				"metering.delivery.flush-interval=1h", "metering.delivery.coalesce=false");

	@Test
	void aWindowInsideHoursIsComparedOverTheHoursPolarCounted() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		// Polar's totals of 10:00 to 12:00, the hours holding the window: it lost 1 of
		// org_b's
		polar.stubFor(PolarStub.quantities(METER_ID)
			.withQueryParam("external_customer_id", equalTo("org_a"))
			.willReturn(PolarStub.quantitiesOf(12.0, at(10, 0).toString(), at(11, 0).toString())));
		polar.stubFor(PolarStub.quantities(METER_ID)
			.withQueryParam("external_customer_id", equalTo("org_b"))
			.willReturn(PolarStub.quantitiesOf(6.0, at(10, 0).toString(), at(11, 0).toString())));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.recordUsage("ai_tokens", "org_a", 7, at(10, 10));
			billing.recordUsage("ai_tokens", "org_a", 5, at(10, 45));
			billing.recordUsage("ai_tokens", "org_b", 3, at(11, 15));
			billing.recordUsage("ai_tokens", "org_b", 4, at(11, 50));
			billing.recordUsage("ai_tokens", "org_b", 100, at(12, 0));
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();

			Reconciliation reconciliation = context.getBean(UsageReconciler.class).reconcile(at(10, 30), at(11, 30));

			assertThat(reconciliation.compared()).isEqualTo(2);
			assertThat(reconciliation.failures()).isEmpty();
			assertThat(reconciliation.drifts()).singleElement().satisfies((drift) -> {
				assertThat(drift.customerId()).isEqualTo("org_b");
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
