package dev.metering.sample;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.metering.BillingClient;
import dev.metering.CreditGrant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample stopped and started again on its H2 file: what bob's organization used is
 * still there, and carol's organization is not granted its credits again.
 */
class SampleRestartTests {

	/**
	 * {@code metering.meters.ai-tokens.meter-id} and bob's customer ID, in
	 * application.yml.
	 */
	private static final String METER_ID = "mtr_ai_tokens";

	private static final String BOBS_CUSTOMER = "cus_globex_demo";

	@TempDir
	Path directory;

	@Test
	void bobsUsageAndLimitSurviveARestart() {
		long billed;
		try (ConfigurableApplicationContext app = start()) {
			RestTestClient client = client(app);
			// admitted under the limit of 2,000; its ~2,100 tokens take bob over it
			chat(client, "word ".repeat(1600)).expectStatus().isOk();
			assertRefused(client);
			billed = billed(app);
			assertThat(billed).isGreaterThanOrEqualTo(2000);
		}

		try (ConfigurableApplicationContext app = start()) {
			assertThat(billed(app)).as("the local meter's usage, read from the H2 file").isEqualTo(billed);
			assertRefused(client(app));
		}
	}

	@Test
	void carolsCreditsAreGrantedOnceAcrossRestarts() {
		List<CreditGrant> granted;
		try (ConfigurableApplicationContext app = start()) {
			granted = carolsGrants(app);
			assertThat(granted).singleElement().satisfies((grant) -> assertThat(grant.amount()).isEqualTo(300));
		}

		try (ConfigurableApplicationContext app = start()) {
			assertThat(carolsGrants(app)).isEqualTo(granted);
		}
	}

	private static List<CreditGrant> carolsGrants(ConfigurableApplicationContext app) {
		return app.getBean(BillingClient.class).getGrants("org_umbrella", "ai-tokens");
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0",
				"--spring.datasource.url=jdbc:h2:file:" + this.directory.resolve("metering") + ";WRITE_DELAY=0");
	}

	private static RestTestClient client(ConfigurableApplicationContext app) {
		return RestTestClient.bindToServer()
			.baseUrl("http://localhost:" + app.getEnvironment().getProperty("local.server.port"))
			.build();
	}

	private static RestTestClient.ResponseSpec chat(RestTestClient client, String message) {
		return client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth("bob", "bob"))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", message))
			.exchange();
	}

	private static void assertRefused(RestTestClient client) {
		chat(client, "one more?").expectStatus()
			.isEqualTo(429)
			.expectBody()
			.jsonPath("$.limitKey")
			.isEqualTo("aiTokens");
	}

	/**
	 * What the local meter has for bob's organization this period, once everything is
	 * delivered.
	 */
	private static long billed(ConfigurableApplicationContext app) {
		BillingClient billing = app.getBean(BillingClient.class);
		assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
		return billing.getUsage(METER_ID, BOBS_CUSTOMER).get(0).aggregatedValue();
	}

}
