package dev.metering.provider.polar;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

import dev.metering.BillingClient;
import dev.metering.support.MeteredChat;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Polar's customer webhooks, in Polar's payloads, posted to one of two instances that
 * share a database (an H2 file): the customer whose external ID is the organization is
 * its customer on the instance that received the event at once, and on the other within a
 * couple of seconds, without asking Polar again; a deleted customer is forgotten on both.
 */
class PolarCustomerWebhookTests {

	static final String SECRET = "whsec_cG9sYXIgY3VzdG9tZXIgZXZlbnRzIHNpZ25pbmcga2V5";

	static final String PATH = "/metering/polar/webhook";

	static final String PRO_PRODUCT = "8d2f7c1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";

	static final String NEWCOMER = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

	/**
	 * How soon the other instance makes a change: a poll of the database each second, and
	 * room.
	 */
	static final Duration A_COUPLE_OF_SECONDS = Duration.ofSeconds(3);

	private static final Instant PERIOD_START = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(3, ChronoUnit.DAYS);

	@RegisterExtension
	static final StubServer polar = new StubServer();

	@TempDir
	Path directory;

	@BeforeEach
	void polarTakesEventsAndHasTheSubscription() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		polar.stubFor(PolarStub.state(NEWCOMER)
			.willReturn(PolarStub.stateWithSubscription(NEWCOMER, PRO_PRODUCT, PERIOD_START.toString(),
					PERIOD_START.plus(30, ChronoUnit.DAYS).toString())));
	}

	@ParameterizedTest
	@ValueSource(strings = { "customer.created", "customer.updated", "customer.state_changed" })
	void aCustomerEventReachesBothInstancesWithoutAskingPolar(String type) {
		polar.stubFor(PolarStub.customerByExternalId("org_new").willReturn(PolarStub.notFound()));
		instances((first, second) -> {
			MeteredChat one = MeteredChat.of(first);
			MeteredChat two = MeteredChat.of(second);
			one.assertRefused("org_new");
			two.assertRefused("org_new");
			int asked = customerLookUps();

			assertThat(deliver(first, "msg_2q" + type.replace('.', '_'), customerEvent(type, null))).isEqualTo(200);

			assertThat(one.ask("org_new")).as("the instance that received it, at once").isEqualTo("ok");
			await().atMost(A_COUPLE_OF_SECONDS).until(() -> two.admitted("org_new"));
			assertThat(second.getBean(BillingClient.class).getPlanLimits("org_new").plan()).isEqualTo("pro");
			assertThat(customerLookUps()).as("Polar not asked after the webhook").isEqualTo(asked);
		});
	}

	@Test
	void aDeletedCustomerIsForgottenOnBothInstances() {
		polar.stubFor(PolarStub.customerByExternalId("org_new").willReturn(PolarStub.customer(NEWCOMER, "org_new")));
		instances((first, second) -> {
			MeteredChat two = MeteredChat.of(second);
			assertThat(MeteredChat.of(first).ask("org_new")).isEqualTo("ok");
			assertThat(two.ask("org_new")).isEqualTo("ok");
			polar.stubFor(PolarStub.customerByExternalId("org_new").willReturn(PolarStub.notFound()));

			assertThat(deliver(first, "msg_2qdeleted", customerEvent("customer.deleted", Instant.now().toString())))
				.isEqualTo(200);

			await().atMost(A_COUPLE_OF_SECONDS).until(() -> !two.admitted("org_new"));
		});
	}

	/** Two instances of the application, on one database. */
	private void instances(TwoInstances test) {
		WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withUserConfiguration(MockMvcConfiguration.class)
			.withPropertyValues("metering.provider=polar", "metering.polar.access-token=polar_oat_CustomerWebhookTests",
					"metering.polar.base-url=" + polar.baseUrl(), "metering.polar.webhook.secret=" + SECRET,
					"metering.meters.ai-tokens.event-name=ai_tokens",
					"metering.meters.ai-tokens.meter-id=0b7d3c52-6a7e-4f8a-9d2b-1c3e5f7a9b01",
					"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
					"metering.plans.pro.polar-product-ids=" + PRO_PRODUCT, "metering.plans.pro.limits.aiTokens=100000",
					"metering.jdbc.initialize-schema=always", "spring.datasource.url=jdbc:h2:file:"
							+ this.directory.resolve("metering") + ";DB_CLOSE_ON_EXIT=FALSE");
		contextRunner.run((first) -> contextRunner.run((second) -> test.run(first, second)));
	}

	private static int customerLookUps() {
		return polar.findAll(getRequestedFor(urlPathEqualTo("/v1/customers/external/org_new"))).size();
	}

	/**
	 * A customer event of the organization's customer, as Polar sends it: its data is the
	 * {@code Customer}, and a {@code CustomerState} for {@code customer.state_changed}.
	 */
	private static String customerEvent(String type, String deletedAt) {
		String now = Instant.now().toString();
		String state = type.equals("customer.state_changed")
				? ",\"active_subscriptions\":[],\"granted_benefits\":[],\"active_meters\":[]" : "";
		return """
				{"type":"%s","timestamp":"%s","data":{"id":"%s","created_at":"%s","modified_at":"%s",\
				"metadata":{},"external_id":"org_new","email":"billing@example.com","email_verified":true,\
				"name":"New Organization","billing_address":{"line1":null,"line2":null,"postal_code":null,\
				"city":null,"state":null,"country":"FR"},"tax_id":null,\
				"organization_id":"1dbfc517-0bbf-4301-9ba8-555ca42b9737","deleted_at":%s,\
				"avatar_url":"https://www.gravatar.com/avatar/xxx?d=404"%s}}""".formatted(type, now, NEWCOMER, now, now,
				(deletedAt != null) ? "\"" + deletedAt + "\"" : "null", state);
	}

	private static int deliver(AssertableWebApplicationContext context, String id, String payload) throws Exception {
		byte[] body = payload.getBytes(StandardCharsets.UTF_8);
		long now = Instant.now().getEpochSecond();
		return context.getBean(MockMvc.class)
			.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
				.header("webhook-id", id)
				.header("webhook-timestamp", Long.toString(now))
				.header("webhook-signature", PolarWebhookSigner.sign(SECRET, id, now, body))
				.content(body))
			.andReturn()
			.getResponse()
			.getStatus();
	}

	/** A test of two instances. */
	@FunctionalInterface
	private interface TwoInstances {

		void run(AssertableWebApplicationContext first, AssertableWebApplicationContext second) throws Throwable;

	}

}
