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

	@Bean
	ChatModel chatModel() {
		return new InstantChatModel();
	}

}
