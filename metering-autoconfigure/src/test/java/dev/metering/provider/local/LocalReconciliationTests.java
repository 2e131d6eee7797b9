package dev.metering.provider.local;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.metering.BillingClient;
import dev.metering.UsageDimensions;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;
import dev.metering.reconcile.Reconciliation;
import dev.metering.reconcile.UsageReconciler;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Reconciliation against the local meter, with the outbox in the application's database:
 * a meter that acknowledged an event without counting it is caught with the exact
 * difference, a meter that counted everything shows no drift, and the schedule runs on
 * its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class LocalReconciliationTests {

	private static final Instant YESTERDAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));

	private static final Instant TODAY = YESTERDAY.plus(Duration.ofDays(1));

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:local-reconcile-" + UUID.randomUUID(),
				"metering.limits.store=memory");

	@Test
	void aMeterThatAcknowledgedAnEventWithoutCountingItIsCaughtWithTheExactDifference(CapturedOutput output) {
		ForgetfulStore store = new ForgetfulStore();
		this.contextRunner.withBean(MeterProvider.class, () -> new LocalMeterProvider(store)).run((context) -> {
			recordYesterday(context.getBean(BillingClient.class));
			UsageEvent lost = store.forgotten.get();

			Reconciliation reconciliation = context.getBean(UsageReconciler.class).reconcile(YESTERDAY, TODAY);

			assertThat(reconciliation.provider()).isEqualTo("local");
			assertThat(reconciliation.compared()).isEqualTo(3);
			assertThat(reconciliation.drifts()).singleElement().satisfies((drift) -> {
				assertThat(drift.customerId()).isEqualTo(lost.customerId());
				assertThat(drift.delivered()).isEqualTo(recordedFor(lost.customerId()));
				assertThat(drift.counted()).isEqualTo(recordedFor(lost.customerId()) - lost.value());
				assertThat(drift.difference()).isEqualTo(-lost.value());
			});
			assertThat(output).contains("for customer " + lost.customerId() + " from " + YESTERDAY + " to " + TODAY
					+ ": delivered " + recordedFor(lost.customerId()));
			assertThat(context.getBean(MeterRegistry.class)
				.get("metering.reconcile.drift")
				.tag("meter", "ai-tokens")
				.gauge()
				.value()).isEqualTo(lost.value());
		});
	}

	@Test
	void aMeterThatCountedEverythingShowsNoDrift(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			recordYesterday(context.getBean(BillingClient.class));

			Reconciliation reconciliation = context.getBean(UsageReconciler.class).reconcile(YESTERDAY, TODAY);

			assertThat(reconciliation.compared()).isEqualTo(3);
			assertThat(reconciliation.drifts()).isEmpty();
			assertThat(reconciliation.failures()).isEmpty();
			assertThat(output).doesNotContain("Usage drift");
		});
	}

	@Test
	void theScheduleReconcilesTheLastClosedWindowOnItsOwn(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("metering.reconcile.enabled=true", "metering.reconcile.cron=* * * * * *",
					"metering.reconcile.window=1m")
			.run((context) -> await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(output).containsPattern(
						"Reconciled usage from \\S+:00Z to \\S+:00Z with local: 0 customer total\\(s\\) on meters \\[ai-tokens\\]")));
	}

	@Test
	void aWindowThatIsNotOnWholeMinutesOrHasNotClosedIsRefused() {
		this.contextRunner.run((context) -> {
			UsageReconciler reconciler = context.getBean(UsageReconciler.class);
			assertThatIllegalArgumentException().isThrownBy(() -> reconciler.reconcile(YESTERDAY.plusSeconds(1), TODAY))
				.withMessageContaining("whole minutes");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> reconciler.reconcile(TODAY, TODAY.plus(Duration.ofDays(1))))
				.withMessageContaining("must have closed");
			assertThatIllegalArgumentException().isThrownBy(() -> reconciler.reconcile(TODAY, YESTERDAY))
				.withMessageContaining("must start before it ends");
		});
	}

	/** Three customers, several events each over yesterday, all delivered. */
	private static void recordYesterday(BillingClient billing) {
		for (int i = 0; i < 30; i++) {
			assertThat(billing
				.recordUsage("ai_tokens", "cus_" + (i % 3), value(i), YESTERDAY.plus(Duration.ofMinutes(37L * i)))
				.recorded()).isTrue();
		}
		assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
	}

	private static long recordedFor(String customerId) {
		long total = 0;
		for (int i = 0; i < 30; i++) {
			if (("cus_" + (i % 3)).equals(customerId)) {
				total += value(i);
			}
		}
		return total;
	}

	private static long value(int i) {
		return 100 + i;
	}

	/**
	 * A meter store that acknowledges the first event it is given without counting it.
	 */
	static final class ForgetfulStore implements LocalMeterStore {

		private final LocalMeterStore store = new InMemoryLocalMeterStore();

		final AtomicReference<UsageEvent> forgotten = new AtomicReference<>();

		@Override
		public DeliveryOutcome add(UsageEvent event) {
			return this.forgotten.compareAndSet(null, event) ? DeliveryOutcome.delivered() : this.store.add(event);
		}

		@Override
		public long sum(String eventName, String customerId, Instant start, Instant end) {
			return this.store.sum(eventName, customerId, start, end);
		}

		@Override
		public long sum(String eventName, String customerId, UsageDimensions filter, Instant start, Instant end) {
			return this.store.sum(eventName, customerId, filter, start, end);
		}

		@Override
		public long eventCount(String eventName, String customerId) {
			return this.store.eventCount(eventName, customerId);
		}

	}

}
