package dev.metering.provider.metronome;

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
 * A customer look-up at Metronome that fails with nothing cached never lets AI through
 * for free: an outage lets the call run and bills its usage once Metronome names the
 * customer; a refused token refuses calls before the model with a 503, turns the health
 * DOWN, and is logged without the token.
 */
@ExtendWith(OutputCaptureExtension.class)
class MetronomeLookupFailureTests {

	private static final String TOKEN = "mtr-api-LookupFailuresTokenNeverShown";

	private static final String CUSTOMER = "9d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a";

	@RegisterExtension
	static final StubServer metronome = new StubServer();

	private final FixedUsageChatModel model = new FixedUsageChatModel(20, 10);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withUserConfiguration(MockMvcConfiguration.class, ChatEndpoint.class)
		.withBean(FixedUsageChatModel.class, () -> this.model)
		.withPropertyValues("metering.provider=metronome", "metering.metronome.api-token=" + TOKEN,
				"metering.metronome.base-url=" + metronome.baseUrl(), "metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=100000",
				"metering.delivery.flush-interval=20ms", "metering.cache.failure-backoff=100ms",
				"spring.datasource.url=jdbc:h2:mem:metronome-lookups-" + UUID.randomUUID());

	@BeforeEach
	void stubs() {
		metronome.stubFor(MetronomeStub.ingest().willReturn(MetronomeStub.ingested()));
		metronome.stubFor(MetronomeStub.contracts().willReturn(MetronomeStub.contractsOf()));
	}

	@Test
	void anOutageAtTheFirstLookUpLetsTheCallRunAndBillsItOnceMetronomeNamesTheCustomer() {
		customerAnswers(MetronomeStub.error(502, "Bad gateway"));
		this.contextRunner.run((context) -> {
			assertThat(chat(context, "org_new").getResponse().getStatus()).isEqualTo(200);
			MeteringAdmin admin = context.getBean(MeteringAdmin.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> admin.backlog().awaitingCustomer() == 1);
			assertThat(metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.INGEST)))).isEmpty();

			customerAnswers(MetronomeStub.customersWith(CUSTOMER, "org_new"));
			assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(10))).isTrue();

			assertThat(metronome.findAll(postRequestedFor(urlEqualTo(MetronomeStub.INGEST))))
				.flatMap(MetronomeStub::events)
				.singleElement()
				.satisfies((event) -> {
					assertThat(event.path("customer_id").asString()).isEqualTo(CUSTOMER);
					assertThat(event.path("properties").path("value").asString()).isEqualTo("30");
				});
			assertThat(admin.backlog().awaitingCustomer()).isZero();
		});
	}

	@Test
	void aRefusedTokenRefusesCallsBeforeTheModelAndTurnsTheHealthDown(CapturedOutput output) {
		customerAnswers(MetronomeStub.error(401, "Invalid token " + TOKEN));
		this.contextRunner.run((context) -> {
			MvcResult refused = chat(context, "org_a");
			assertThat(refused.getResponse().getStatus()).isEqualTo(503);
			assertThat(refused.getResponse().getHeader("Retry-After")).isEqualTo("60");
			assertThat(refused.getResponse().getContentAsString()).contains("401").doesNotContain(TOKEN);
			assertThat(this.model.calls()).isZero();

			Health health = context.getBean(MeteringHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) health.getDetails().get("refused")).contains("401: Invalid token ******");
			assertThat(output).containsOnlyOnce("metronome refuses metering's requests")
				.contains("check metering.metronome.api-token")
				.doesNotContain(TOKEN);

			customerAnswers(MetronomeStub.customersWith(CUSTOMER, "org_a"));
			await().atMost(Duration.ofSeconds(5)).until(() -> chat(context, "org_a").getResponse().getStatus() == 200);
			assertThat(context.getBean(MeteringHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
		});
	}

	/**
	 * Metronome's answer to look-ups of customers by ingest alias from now on: the latest
	 * stub wins.
	 */
	private static void customerAnswers(ResponseDefinitionBuilder answer) {
		metronome.stubFor(MetronomeStub.customerByAlias("org_new").willReturn(answer));
		metronome.stubFor(MetronomeStub.customerByAlias("org_a").willReturn(answer));
	}

}
