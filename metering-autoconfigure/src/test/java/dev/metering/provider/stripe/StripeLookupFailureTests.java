package dev.metering.provider.stripe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MvcResult;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.actuate.MeteringHealthIndicator;
import dev.metering.admin.MeteringAdmin;
import dev.metering.outbox.DeadLetter;
import dev.metering.provider.ProviderCaches;
import dev.metering.support.ChatEndpoint;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.metering.support.ChatEndpoint.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A customer look-up at Stripe that fails with nothing cached never lets AI through for
 * free: an outage (503) lets the call run and bills its usage once Stripe names the
 * customer, under the identifier it was recorded with; a refused key (401) refuses calls
 * before the model with a 503 problem detail, logs at ERROR at most once a minute and
 * turns the health DOWN, without ever showing the key.
 */
@ExtendWith(OutputCaptureExtension.class)
class StripeLookupFailureTests {

	private static final String API_KEY = "sk_test_lookupFailuresNeverShown";

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	private final FixedUsageChatModel model = new FixedUsageChatModel(20, 10);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
		.withUserConfiguration(MockMvcConfiguration.class, ChatEndpoint.class)
		.withBean(FixedUsageChatModel.class, () -> this.model)
		.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=" + API_KEY,
				"metering.stripe.api-base=" + stripe.baseUrl(), "metering.stripe.meter-events-base=" + stripe.baseUrl(),
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=100000",
				"metering.delivery.flush-interval=20ms", "metering.cache.failure-backoff=100ms",
				"spring.datasource.url=jdbc:h2:mem:stripe-lookups-" + UUID.randomUUID());

	@BeforeEach
	void stubs() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		stripe.stubFor(StripeStub.subscriptions().willReturn(StripeStub.noSubscriptions()));
	}

	@Test
	void anOutageAtTheFirstLookUpLetsTheCallRunAndBillsItOnceStripeNamesTheCustomer() {
		searchAnswers(StripeStub.error(503, "api_error", null, "Service unavailable"));
		this.contextRunner.run((context) -> {
			assertThat(chat(context, "org_new").getResponse().getStatus()).isEqualTo(200);
			assertThat(this.model.calls()).isOne();

			// the usage waits for its customer, pending, while Stripe cannot name it
			MeteringAdmin admin = context.getBean(MeteringAdmin.class);
			await().atMost(Duration.ofSeconds(5))
				.until(() -> waitingRows(context).size() == 1 && waitingRows(context).get(0).get("last_error") != null);
			assertThat(admin.backlog().awaitingCustomer()).isOne();
			assertThat(admin.backlog().pending()).isOne();
			assertThat(health(context).getDetails()).containsEntry("awaitingCustomer", 1L);
			String identifier = (String) waitingRows(context).get(0).get("identifier");
			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStub.METER_EVENTS)))).isEmpty();

			searchAnswers(StripeStub.customers("organization_id", "org_new", List.of("cus_new")));
			assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(10))).isTrue();

			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStub.METER_EVENTS)))).singleElement()
				.satisfies((sent) -> {
					assertThat(sent.formParameters().get("identifier").firstValue()).isEqualTo(identifier);
					assertThat(sent.formParameters().get("payload[stripe_customer_id]").firstValue())
						.isEqualTo("cus_new");
					assertThat(sent.formParameters().get("payload[value]").firstValue()).isEqualTo("30");
				});
			assertThat(admin.backlog().awaitingCustomer()).isZero();
		});
	}

	@Test
	void anOrganizationStripeHasNoCustomerForAfterTheOutageIsADeadLetterThatReDrivesOnceItHasOne() {
		searchAnswers(StripeStub.error(500, "api_error", null, "An unknown error occurred"));
		this.contextRunner.run((context) -> {
			assertThat(chat(context, "org_later").getResponse().getStatus()).isEqualTo(200);
			searchAnswers(StripeStub.customers("organization_id", "org_later", List.of()));
			MeteringAdmin admin = context.getBean(MeteringAdmin.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> !admin.deadLetters().isEmpty());

			DeadLetter dead = admin.deadLetters().get(0);
			assertThat(dead.code()).isEqualTo("no_customer");
			assertThat(dead.message()).startsWith("stripe has no customer for organization 'org_later'");
			assertThat(dead.event().value()).isEqualTo(30);
			assertThat(admin.backlog().pending()).isZero();

			// the customer is created, and its webhook evicts the "none" Stripe's search
			// answered
			searchAnswers(StripeStub.customers("organization_id", "org_later", List.of("cus_later")));
			context.getBean(ProviderCaches.class).evictCustomer("org_later");
			assertThat(admin.redrive(dead.event().identifier())).isTrue();
			assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(10))).isTrue();

			assertThat(stripe.findAll(postRequestedFor(urlEqualTo(StripeStub.METER_EVENTS))
				.withRequestBody(containing("identifier=" + dead.event().identifier())))).hasSize(1);
			assertThat(admin.deadLetters()).isEmpty();
		});
	}

	@Test
	void aRefusedKeyRefusesCallsBeforeTheModelWithA503AndTurnsTheHealthDownUntilStripeAnswersAgain(
			CapturedOutput output) {
		searchAnswers(StripeStub.error(401, "invalid_request_error", null,
				"Invalid API Key provided: sk_test_********************hown"));
		this.contextRunner.run((context) -> {
			MvcResult refused = chat(context, "org_a");
			assertThat(refused.getResponse().getStatus()).isEqualTo(503);
			assertThat(refused.getResponse().getHeader("Retry-After")).isEqualTo("60");
			assertThat(refused.getResponse().getContentAsString()).contains("urn:metering:unavailable")
				.contains("401")
				.doesNotContain(API_KEY);
			assertThat(chat(context, "org_b").getResponse().getStatus()).isEqualTo(503);
			assertThat(this.model.calls()).isZero();

			Health health = health(context);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) health.getDetails().get("refused")).contains("401")
				.contains("Invalid API Key provided")
				.doesNotContain(API_KEY);
			assertThat(output).containsOnlyOnce("stripe refuses metering's requests").doesNotContain(API_KEY);

			// the key is fixed: Stripe answers again once the failure's back-off has
			// passed
			searchAnswers(StripeStub.customers("organization_id", "org_a", List.of("cus_a")));
			await().atMost(Duration.ofSeconds(5)).until(() -> chat(context, "org_a").getResponse().getStatus() == 200);
			assertThat(this.model.calls()).isOne();
			assertThat(health(context).getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void aRefusedKeyIsNeverLetThroughEvenWhenOutagesAre() {
		searchAnswers(StripeStub.error(403, "invalid_request_error", null,
				"The provided key does not have the required permissions for this endpoint."));
		this.contextRunner.withPropertyValues("metering.limits.on-lookup-failure=allow").run((context) -> {
			assertThat(chat(context, "org_a").getResponse().getStatus()).isEqualTo(503);
			assertThat(this.model.calls()).isZero();
			assertThat(context.getBean(MeteringAdmin.class).backlog().pending()).isZero();
		});
	}

	/** Stripe's answer to customer searches from now on: the latest stub wins. */
	private static void searchAnswers(ResponseDefinitionBuilder answer) {
		stripe.stubFor(StripeStub.customerSearch().willReturn(answer));
	}

	private static Health health(AssertableWebApplicationContext context) {
		return context.getBean(MeteringHealthIndicator.class).health();
	}

	private static List<Map<String, Object>> waitingRows(AssertableWebApplicationContext context) {
		return new JdbcTemplate(context.getBean(DataSource.class))
			.queryForList("SELECT identifier, last_error FROM metering_usage_event WHERE customer_id IS NULL "
					+ "AND status = 'W'");
	}

}
