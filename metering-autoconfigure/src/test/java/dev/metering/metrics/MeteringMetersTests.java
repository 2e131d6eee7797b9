package dev.metering.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters metering's auto-configurations make, beside the meter handlers they are made
 * of.
 */
class MeteringMetersTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with());

	@Test
	void withoutMicrometerNothingIsCountedAndTheRestWorks() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(AdmissionMeterObservationHandler.class)
				.doesNotHaveBean(DeliveryMeterObservationHandler.class)
				.hasSingleBean(BillingClient.class));
	}

	@Test
	void withAMeterRegistryMeteringCountsOnIt() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("metering.on-missing-customer=skip")
			.run((context) -> {
				assertThat(context).hasSingleBean(AdmissionMeterObservationHandler.class)
					.hasSingleBean(DeliveryMeterObservationHandler.class);
				ChatClient.Builder builder = ChatClient.builder(new FixedUsageChatModel(3, 4));
				context.getBean(ChatClientBuilderCustomizer.class).customize(builder);

				builder.build().prompt("hi").call().content();

				assertThat(context.getBean(MeterRegistry.class).counter("metering.calls.unbilled").count()).isOne();
			});
	}

	@Test
	void withoutAMeterRegistryNothingIsCounted() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(AdmissionMeterObservationHandler.class)
			.doesNotHaveBean(MeterRegistry.class));
	}

}
