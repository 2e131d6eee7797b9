package dev.metering.web;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.config.EnableWebFlux;

import dev.metering.Balance;
import dev.metering.InsufficientBalanceException;
import dev.metering.MissingBillingAccountException;
import dev.metering.UsageLimitExceededException;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * An application's own advice that handles a metering exception answers it, in Spring MVC
 * and in WebFlux; the starter answers the ones it leaves alone.
 */
class ApplicationExceptionHandlersTests {

	@Test
	void inSpringMvcTheApplicationsAdviceAnswersWhatItHandles() throws Exception {
		new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withUserConfiguration(MockMvcConfiguration.class, RefusingApplication.class)
			.run((context) -> {
				MockMvc mvc = context.getBean(MockMvc.class);
				assertThat(mvc.perform(get("/limit")).andReturn().getResponse().getStatus()).isEqualTo(418);
				assertThat(mvc.perform(get("/account")).andReturn().getResponse().getStatus()).isEqualTo(402);
			});
	}

	@Test
	void inWebFluxTheApplicationsAdviceAnswersWhatItHandles() {
		new ReactiveWebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withUserConfiguration(WebFluxConfiguration.class, RefusingApplication.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(MeteringExceptionHandler.class);
				WebTestClient client = WebTestClient.bindToApplicationContext(context).build();
				client.get().uri("/limit").exchange().expectStatus().isEqualTo(418);
				client.get()
					.uri("/account")
					.exchange()
					.expectStatus()
					.isEqualTo(402)
					.expectBody()
					.jsonPath("$.type")
					.isEqualTo("urn:metering:missing-billing-account");
			});
	}

	@Test
	void inSpringMvcTheStarterAnswersAnInsufficientBalanceWith402NamingTheBalance() {
		new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withUserConfiguration(MockMvcConfiguration.class, RefusingApplication.class)
			.run((context) -> context.getBean(MockMvc.class)
				.perform(get("/balance"))
				.andExpect(status().isPaymentRequired())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.type").value("urn:metering:insufficient-balance"))
				.andExpect(jsonPath("$.meterKey").value("ai-tokens"))
				.andExpect(jsonPath("$.remaining").value(0)));
	}

	@Test
	void inWebFluxTheStarterAnswersAnInsufficientBalanceWith402NamingTheBalance() {
		new ReactiveWebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withUserConfiguration(WebFluxConfiguration.class, RefusingApplication.class)
			.run((context) -> WebTestClient.bindToApplicationContext(context)
				.build()
				.get()
				.uri("/balance")
				.exchange()
				.expectStatus()
				.isEqualTo(402)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("urn:metering:insufficient-balance")
				.jsonPath("$.meterKey")
				.isEqualTo("ai-tokens")
				.jsonPath("$.granted")
				.isEqualTo(1000));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebFlux
	static class WebFluxConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@Import({ RefusingController.class, OwnLimitAnswer.class })
	static class RefusingApplication {

	}

	@RestController
	static class RefusingController {

		@GetMapping("/limit")
		String limit() {
			throw new UsageLimitExceededException("aiTokens", 10, 10, Instant.parse("2027-01-01T00:00:00Z"));
		}

		@GetMapping("/balance")
		String balance() {
			throw new InsufficientBalanceException(new Balance("ai-tokens", 1000, 1000, 0, null));
		}

		@GetMapping("/account")
		String account() {
			throw new MissingBillingAccountException("org_a");
		}

	}

	/** The application's own answer to a used-up limit, without any order of its own. */
	@RestControllerAdvice
	static class OwnLimitAnswer {

		@ExceptionHandler(UsageLimitExceededException.class)
		ResponseEntity<String> limitExceeded(UsageLimitExceededException ex) {
			return ResponseEntity.status(HttpStatus.I_AM_A_TEAPOT).body("upgrade your plan");
		}

	}

}
