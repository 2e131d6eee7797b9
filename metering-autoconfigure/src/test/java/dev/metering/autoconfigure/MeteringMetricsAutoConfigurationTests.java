package dev.metering.autoconfigure;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.support.MeteredChat;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with a meter registry and no observation registry gets metering's meters
 * all the same, from observations made on a registry metering keeps to itself.
 */
class MeteringMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=50",
				"metering.accounts.org_a.customer-id=cus_a", "metering.on-missing-customer=skip",
				"metering.delivery.flush-interval=1h");

	@Test
	void withoutAnObservationRegistryMeteringsObservationsAreTimedAndCountedOnTheMeterRegistry() {
		this.contextRunner.run((context) -> {
			MeteredChat.of(context).ask("org_a");
			MeteredChat.of(context).ask("org_without_account");
			assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(10))).isTrue();

			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(admissions(registry, "admitted", "aiTokens")).isOne();
			assertThat(admissions(registry, "unbilled", "none")).isOne();
			assertThat(registry.get("metering.recording").tags("outcome", "recorded").timer().count()).isOne();
			assertThat(registry.get("metering.delivery").tags("provider", "local", "trigger", "pass").timers())
				.isNotEmpty();
			assertThat(registry.get("metering.provider.requests")
				.tags("provider", "local", "outcome", "delivered")
				.timer()
				.count()).isOne();
			assertThat(registry.get("metering.calls.unbilled").counter().count()).isOne();
			assertThat(registry.get("metering.events.delivered").tags("provider", "local").counter().count()).isOne();
			assertThat(registry.get("metering.delivery.latency").tags("provider", "local").timer().count()).isOne();
			assertThat(context).as("metering's own registry is not the application's")
				.doesNotHaveBean(ObservationRegistry.class);
		});
	}

	private static long admissions(MeterRegistry registry, String outcome, String limit) {
		return registry.get("metering.admission").tags("outcome", outcome, "limit", limit).timer().count();
	}

}
