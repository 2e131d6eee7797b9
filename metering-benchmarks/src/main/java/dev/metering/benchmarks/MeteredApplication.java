package dev.metering.benchmarks;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The application the load harnesses meter: Spring Boot's auto-configuration with the
 * starter, and a model that answers at once, without a web server.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class MeteredApplication {

	/** Starts it with these properties, quietly. */
	static ConfigurableApplicationContext start(Map<String, Object> properties) {
		Map<String, Object> all = new HashMap<>(properties);
		all.put("spring.main.banner-mode", "off");
		return new SpringApplicationBuilder(MeteredApplication.class).web(WebApplicationType.NONE)
			.properties(all)
			.run();
	}

	/**
	 * Static accounts {@code org_0} … for customers {@code cus_0} …, into
	 * {@code properties}.
	 */
	static void accounts(Map<String, Object> properties, int organizations, @Nullable String plan) {
		for (int i = 0; i < organizations; i++) {
			properties.put("metering.accounts.org_" + i + ".customer-id", "cus_" + i);
			if (plan != null) {
				properties.put("metering.accounts.org_" + i + ".plan", plan);
			}
		}
	}

	/**
	 * Billing the Stripe server at {@code stripeBase}, with a limit on every call far
	 * away (so that the ledger admits each), into {@code properties}.
	 */
	static void limitedOnStripe(Map<String, Object> properties, String stripeBase) {
		properties.put("metering.provider", "stripe");
		properties.put("metering.stripe.api-key", "sk_test_benchmark");
		properties.put("metering.stripe.api-base", stripeBase);
		properties.put("metering.stripe.meter-events-base", stripeBase);
		properties.put("metering.meters.ai-tokens.event-name", "ai_tokens");
		properties.put("metering.meters.ai-tokens.limit-key", "aiTokens");
		properties.put("metering.plans.free.limits.aiTokens", Long.toString(Long.MAX_VALUE / 4));
	}

	@Bean
	ChatModel chatModel() {
		return new InstantChatModel();
	}

}
