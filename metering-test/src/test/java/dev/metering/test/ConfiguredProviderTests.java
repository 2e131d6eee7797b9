package dev.metering.test;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.ActiveProfiles;

import dev.metering.provider.MeterProvider;

import static dev.metering.test.MeteringAssertions.assertThatUsage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * An application billed through Stripe, Polar or Metronome, whose key or token the tests
 * do not have, is tested with the recording meter all the same; without the kit it would
 * not start.
 */
class ConfiguredProviderTests {

	@Test
	void withoutTheKitTheStripeApplicationNeedsItsKey() {
		assertThatException().isThrownBy(() -> start("stripe"))
			.withStackTraceContaining("metering.stripe.api-key must be set when metering.provider=stripe");
	}

	@Test
	void withoutTheKitThePolarApplicationNeedsItsToken() {
		assertThatException().isThrownBy(() -> start("polar"))
			.withStackTraceContaining("metering.polar.access-token must be set when metering.provider=polar");
	}

	@Test
	void withoutTheKitTheMetronomeApplicationNeedsItsToken() {
		assertThatException().isThrownBy(() -> start("metronome"))
			.withStackTraceContaining("metering.metronome.api-token must be set when metering.provider=metronome");
	}

	private static void start(String profile) {
		new SpringApplicationBuilder(KitTestApplication.class).profiles(profile).run().close();
	}

	@Nested
	@SpringBootTest(classes = KitTestApplication.class)
	@AutoConfigureMeteringTest
	@ActiveProfiles("stripe")
	class Stripe {

		@Test
		void chatsAreRecordedForTheStripeCustomer(@Autowired RecordingMeterProvider recorder,
				@Autowired KitTestApplication.Assistant assistant, ApplicationContext context) {
			assistant.ask("org_1", "Hello Stripe?");

			assertThatUsage(recorder).forCustomer("cus_Stripe1").onEvent("ai_tokens").hasTotal(17);
			assertThat(context.getBean(MeterProvider.class)).isSameAs(recorder);
			assertThat(context.getBeanNamesForType(com.stripe.StripeClient.class)).isEmpty();
		}

	}

	@Nested
	@SpringBootTest(classes = KitTestApplication.class)
	@AutoConfigureMeteringTest
	@ActiveProfiles("polar")
	class Polar {

		@Test
		void chatsAreRecordedForThePolarCustomer(@Autowired RecordingMeterProvider recorder,
				@Autowired KitTestApplication.Assistant assistant, ApplicationContext context) {
			assistant.ask("org_1", "Hello Polar?");

			assertThatUsage(recorder).forOrganization("org_1").hasValues(17);
			assertThatUsage(recorder).forCustomer("org_1_external").hasTotal(17);
			assertThat(context.getBean(MeterProvider.class)).isSameAs(recorder);
			assertThat(context.getBeanNamesForType(dev.metering.provider.polar.PolarClient.class)).isEmpty();
		}

	}

	@Nested
	@SpringBootTest(classes = KitTestApplication.class)
	@AutoConfigureMeteringTest
	@ActiveProfiles("metronome")
	class Metronome {

		@Test
		void chatsAreRecordedForTheMetronomeCustomer(@Autowired RecordingMeterProvider recorder,
				@Autowired KitTestApplication.Assistant assistant, ApplicationContext context) {
			assistant.ask("org_1", "Hello Metronome?");

			assertThatUsage(recorder).forCustomer("org_1_alias").hasTotal(17);
			assertThat(context.getBean(MeterProvider.class)).isSameAs(recorder);
			assertThat(context.getBeanNamesForType(dev.metering.provider.metronome.MetronomeClient.class)).isEmpty();
		}

	}

}
