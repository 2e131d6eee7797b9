package dev.metering.provider.local;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.RecordUsageResult;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local meter in a database: what it was delivered survives the application context
 * being closed and started again on the same database, and so does its memory of
 * identifiers.
 */
abstract class DurableLocalMeterContract {

	/** The JDBC URL, user and password of a database that outlives one context. */
	abstract String[] dataSourceProperties();

	private ApplicationContextRunner contextRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.delivery.flush-interval=20ms", "metering.jdbc.initialize-schema=always",
					// each event reaches the meter under the identifier it was recorded
					// with
					"metering.delivery.coalesce=false")
			.withPropertyValues(dataSourceProperties());
	}

	@Test
	void usageAndCountedIdentifiersSurviveARestart() {
		String customer = "cus_" + getClass().getSimpleName();
		AtomicReference<UsageEvent> delivered = new AtomicReference<>();
		AtomicReference<Long> before = new AtomicReference<>();
		contextRunner().run((context) -> {
			assertThat(context.getBean(MeterProvider.class)).isInstanceOf(LocalMeterProvider.class);
			BillingClient billing = billing(context);
			RecordUsageResult first = billing.recordUsage("ai_tokens", customer, 17);
			billing.recordUsage("ai_tokens", customer, 25);
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			before.set(used(context, customer));
			delivered.set(new UsageEvent(first.identifier(), "ai_tokens", customer, 17, Instant.now()));
		});
		assertThat(before.get()).isEqualTo(42);

		contextRunner().run((context) -> {
			assertThat(used(context, customer)).as("getUsage after the restart").isEqualTo(42);
			LocalMeterProvider meter = context.getBean(LocalMeterProvider.class);
			// what the dispatcher does when a crash came between delivery and its record
			// of it
			assertThat(meter.deliver(delivered.get())).isInstanceOf(DeliveryOutcome.Delivered.class);
			assertThat(used(context, customer)).as("a redelivered identifier is not counted again").isEqualTo(42);
			assertThat(meter.eventCount("ai_tokens", customer)).isEqualTo(2);

			billing(context).recordUsage("ai_tokens", customer, 8);
			assertThat(billing(context).flush(Duration.ofSeconds(5))).isTrue();
			assertThat(used(context, customer)).isEqualTo(50);
		});
	}

	@Test
	void sumsStopAtTheLargestLongInsteadOfTurningNegative() {
		String customer = "cus_huge_" + getClass().getSimpleName();
		contextRunner().run((context) -> {
			LocalMeterProvider meter = context.getBean(LocalMeterProvider.class);
			Instant minute = Instant.parse("2026-11-02T10:15:00Z");
			meter.deliver(new UsageEvent("usage_huge_1", "ai_tokens", customer, Long.MAX_VALUE - 1, minute));
			meter.deliver(new UsageEvent("usage_huge_2", "ai_tokens", customer, 5, minute));
			meter
				.deliver(new UsageEvent("usage_huge_3", "ai_tokens", customer, Long.MAX_VALUE, minute.plusSeconds(60)));

			assertThat(billing(context).getUsage("ai-tokens", customer, null, null).get(0).aggregatedValue())
				.isEqualTo(Long.MAX_VALUE);
			assertThat(billing(context).getUsage("ai-tokens", customer, minute.plusSeconds(60), minute.plusSeconds(120))
				.get(0)
				.aggregatedValue()).isEqualTo(Long.MAX_VALUE);
			assertThat(meter.eventCount("ai_tokens", customer)).isEqualTo(3);
		});
	}

	private static BillingClient billing(AssertableApplicationContext context) {
		return context.getBean(BillingClient.class);
	}

	private static long used(AssertableApplicationContext context, String customer) {
		return billing(context).getUsage("ai-tokens", customer).get(0).aggregatedValue();
	}

}
