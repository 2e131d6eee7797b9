package dev.metering.provider.polar;

import java.time.Duration;
import java.util.UUID;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.web.servlet.MvcResult;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.actuate.MeteringHealthIndicator;
import dev.metering.admin.MeteringAdmin;
import dev.metering.support.ChatEndpoint;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.metering.support.ChatEndpoint.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A customer look-up at Polar that fails with nothing cached never lets AI through for
 * free: an outage lets the call run and bills its usage once Polar names the customer; a
 * refused token refuses calls before the model with a 503 and turns the health DOWN.
 */
@ExtendWith(OutputCaptureExtension.class)
class PolarLookupFailureTests {

	private static final String TOKEN = "polar_oat_lookupFailuresNeverShown";

	private static final String CUSTOMER = "9d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a";

	@RegisterExtension
	static final StubServer polar = new StubServer();

	private final FixedUsageChatModel model = new FixedUsageChatModel(20, 10);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withUserConfiguration(MockMvcConfiguration.class, ChatEndpoint.class)
		.withBean(FixedUsageChatModel.class, () -> this.model)
		.withPropertyValues("metering.provider=polar", "metering.polar.access-token=" + TOKEN,
				"metering.polar.base-url=" + polar.baseUrl(), "metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=100000",
				"metering.delivery.flush-interval=20ms", "metering.cache.failure-backoff=100ms",
				"spring.datasource.url=jdbc:h2:mem:polar-lookups-" + UUID.randomUUID());

	@BeforeEach
	void stubs() {
		polar.stubFor(PolarStub.ingest().willReturn(PolarStub.ingested(1, 0)));
		polar.stubFor(PolarStub.state(CUSTOMER).willReturn(PolarStub.stateWithoutSubscription(CUSTOMER)));
	}

	@Test
	void anOutageAtTheFirstLookUpLetsTheCallRunAndBillsItOncePolarNamesTheCustomer() {
		customerAnswers(PolarStub.error(502, "BadGateway", "Bad gateway"));
		this.contextRunner.run((context) -> {
			assertThat(chat(context, "org_new").getResponse().getStatus()).isEqualTo(200);
			MeteringAdmin admin = context.getBean(MeteringAdmin.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> admin.backlog().awaitingCustomer() == 1);
			assertThat(polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)))).isEmpty();

			customerAnswers(PolarStub.customer(CUSTOMER, "org_new"));
			assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(10))).isTrue();

			assertThat(polar.findAll(postRequestedFor(urlEqualTo(PolarStub.INGEST)))).flatMap(PolarStub::events)
				.singleElement()
				.satisfies((event) -> {
					assertThat(event.path("customer_id").asString()).isEqualTo(CUSTOMER);
					assertThat(event.path("metadata").path("value").asLong()).isEqualTo(30);
				});
			assertThat(admin.backlog().awaitingCustomer()).isZero();
		});
	}

	@Test
	void aRefusedTokenRefusesCallsBeforeTheModelAndTurnsTheHealthDown(CapturedOutput output) {
		customerAnswers(PolarStub.error(401, "Unauthorized", "Invalid token"));
		this.contextRunner.run((context) -> {
			MvcResult refused = chat(context, "org_a");
			assertThat(refused.getResponse().getStatus()).isEqualTo(503);
			assertThat(refused.getResponse().getHeader("Retry-After")).isEqualTo("60");
			assertThat(refused.getResponse().getContentAsString()).contains("401").doesNotContain(TOKEN);
			assertThat(this.model.calls()).isZero();

			Health health = context.getBean(MeteringHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) health.getDetails().get("refused")).contains("401 Unauthorized: Invalid token");
			assertThat(output).containsOnlyOnce("polar refuses metering's requests").doesNotContain(TOKEN);

			customerAnswers(PolarStub.customer(CUSTOMER, "org_a"));
			await().atMost(Duration.ofSeconds(5)).until(() -> chat(context, "org_a").getResponse().getStatus() == 200);
			assertThat(context.getBean(MeteringHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
		});
	}

	/**
	 * Polar's answer to look-ups of customers by external ID from now on: the latest stub
	 * wins.
	 */
	private static void customerAnswers(ResponseDefinitionBuilder answer) {
		polar.stubFor(PolarStub.customerByExternalId("org_new").willReturn(answer));
		polar.stubFor(PolarStub.customerByExternalId("org_a").willReturn(answer));
	}

}
