package dev.metering.sample.reactive;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Demo of Spring AI Metering in a WebFlux application: a chat API, streamed or not, whose
 * token usage is billed to the organization of the logged-in user, with plan limits
 * enforced before the model is called.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ReactiveSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(ReactiveSampleApplication.class, args);
	}

}
