package dev.metering.sample;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * Demo of Spring AI Metering: a chat API whose token usage is billed to the organization
 * of the logged-in user, with plan limits and prepaid balances enforced before the model
 * is called.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	/** The one clock of the sample and of metering, which uses it too. */
	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

}
