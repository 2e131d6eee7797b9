package dev.metering.provider.stripe;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import dev.metering.BillingClient;
import dev.metering.support.MeteredChat;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MockMvcConfiguration;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stripe's customer and checkout webhooks, in Stripe's payloads, posted to one of two
 * instances that share a database (an H2 file): the instance that receives one caches the
 * customer it names for the organization at once, and the other within a couple of
 * seconds, without asking Stripe's customer search, which lags behind new customers and
 * still answers that the organization has none.
 */
class StripeCustomerWebhookTests {

	static final String SECRET = "whsec_CustomerEventsDestinationSecretNeverLogged";

	static final String PATH = "/metering/stripe/webhook";

	/**
	 * How soon the other instance makes a change: a poll of the database each second, and
	 * room.
	 */
	static final Duration A_COUPLE_OF_SECONDS = Duration.ofSeconds(3);

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	@TempDir
	Path directory;

	@BeforeEach
	void stripeTakesMeterEventsAndHasTheSubscription() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		stripe.stubFor(StripeStub.subscriptions()
			.withQueryParam("customer", equalTo("cus_new"))
			.willReturn(StripeStub.activeSubscription("cus_new", "price_pro", 1764547200L, 1767225600L)));
	}

	@Test
	void aCustomerCreatedReachesBothInstancesWithoutASearch() {
		stripe.stubFor(search("org_new").willReturn(noCustomer("org_new")));
		instances((first, second) -> {
			MeteredChat one = MeteredChat.of(first);
			MeteredChat two = MeteredChat.of(second);
			one.assertRefused("org_new");
			two.assertRefused("org_new");
			int searched = searches("org_new");

			assertThat(deliver(first, customerEvent("evt_1QnewCustomer", "customer.created", "cus_new", "org_new", "")))
				.isEqualTo(200);

			assertThat(one.ask("org_new")).as("the instance that received it, at once").isEqualTo("ok");
			await().atMost(A_COUPLE_OF_SECONDS).until(() -> two.admitted("org_new"));
			assertThat(second.getBean(BillingClient.class).getPlanLimits("org_new").plan()).isEqualTo("pro");
			assertThat(searches("org_new")).as("no search after the webhook").isEqualTo(searched);
		});
	}

	@Test
	void aCompletedCheckoutReachesBothInstancesWithoutASearch() {
		stripe.stubFor(search("org_new").willReturn(noCustomer("org_new")));
		instances((first, second) -> {
			MeteredChat two = MeteredChat.of(second);
			MeteredChat.of(first).assertRefused("org_new");
			two.assertRefused("org_new");
			int searched = searches("org_new");

			assertThat(deliver(first, checkoutCompleted("evt_1QcheckoutDone", "cus_new", "org_new"))).isEqualTo(200);

			await().atMost(A_COUPLE_OF_SECONDS).until(() -> two.admitted("org_new"));
			assertThat(second.getBean(BillingClient.class).getPlanLimits("org_new").plan()).isEqualTo("pro");
			assertThat(searches("org_new")).as("no search after the webhook").isEqualTo(searched);
		});
	}

	@Test
	void aCustomerMovedToAnotherOrganizationIsAskedForAgainForTheOldOneOnBothInstances() {
		stripe.stubFor(
				search("org_old").willReturn(StripeStub.customers("organization_id", "org_old", List.of("cus_new"))));
		stripe.stubFor(search("org_other").willReturn(noCustomer("org_other")));
		instances((first, second) -> {
			MeteredChat two = MeteredChat.of(second);
			assertThat(MeteredChat.of(first).ask("org_old")).isEqualTo("ok");
			assertThat(two.ask("org_old")).isEqualTo("ok");
			two.assertRefused("org_other");
			stripe.stubFor(search("org_old").willReturn(noCustomer("org_old")));

			assertThat(deliver(first,
					customerEvent("evt_1QcustomerMoved", "customer.updated", "cus_new", "org_other",
							",\"previous_attributes\":{\"metadata\":{\"organization_id\":\"org_old\"}}")))
				.isEqualTo(200);

			await().atMost(A_COUPLE_OF_SECONDS).until(() -> two.admitted("org_other"));
			two.assertRefused("org_old");
			assertThat(searches("org_old")).as("asked once by each instance, and again by the second").isEqualTo(3);
		});
	}

	/** Two instances of the application, on one database. */
	private void instances(TwoInstances test) {
		WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withUserConfiguration(MockMvcConfiguration.class)
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_CustomerWebhookTests",
					"metering.stripe.api-base=" + stripe.baseUrl(),
					"metering.stripe.meter-events-base=" + stripe.baseUrl(), "metering.stripe.webhook.secret=" + SECRET,
					"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
					"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
					"metering.plans.pro.price-ids=price_pro", "metering.plans.pro.limits.aiTokens=100000",
					"metering.jdbc.initialize-schema=always", "spring.datasource.url=jdbc:h2:file:"
							+ this.directory.resolve("metering") + ";DB_CLOSE_ON_EXIT=FALSE");
		contextRunner.run((first) -> contextRunner.run((second) -> test.run(first, second)));
	}

	private static MappingBuilder search(String organization) {
		return StripeStub.customerSearch().withQueryParam("query", containing("'" + organization + "'"));
	}

	private static ResponseDefinitionBuilder noCustomer(String organization) {
		return StripeStub.customers("organization_id", organization, List.of());
	}

	private static int searches(String organization) {
		return stripe
			.findAll(getRequestedFor(urlPathEqualTo("/v1/customers/search")).withQueryParam("query",
					containing("'" + organization + "'")))
			.size();
	}

	/**
	 * A {@code customer.*} snapshot event as Stripe sends it, the customer's metadata
	 * naming the organization.
	 */
	private static String customerEvent(String id, String type, String customerId, String organization, String more) {
		long now = Instant.now().getEpochSecond();
		return """
				{"id":"%s","object":"event","api_version":"2025-11-17.clover","created":%d,\
				"data":{"object":{"id":"%s","object":"customer","address":null,"balance":0,"created":%d,\
				"currency":null,"default_source":null,"delinquent":false,"description":null,\
				"email":"billing@example.com","invoice_prefix":"4F2A1B7C","invoice_settings":{"custom_fields":null,\
				"default_payment_method":null,"footer":null,"rendering_options":null},"livemode":false,\
				"metadata":{"organization_id":"%s"},"name":"New Organization","phone":null,"preferred_locales":[],\
				"shipping":null,"tax_exempt":"none","test_clock":null}%s},"livemode":false,"pending_webhooks":1,\
				"request":{"id":"req_6Lk2mWq0Xc9Tb1","idempotency_key":"b3c1e5f2-9a7d-4e21-8c6b-2f0d3a4b5c6d"},\
				"type":"%s"}""".formatted(id, now, customerId, now, organization, more, type);
	}

	/**
	 * A {@code checkout.session.completed} event of a subscription checkout, as Stripe
	 * sends it: the application passed the organization as {@code client_reference_id},
	 * and Checkout created the customer.
	 */
	private static String checkoutCompleted(String id, String customerId, String organization) {
		long now = Instant.now().getEpochSecond();
		return """
				{"id":"%s","object":"event","api_version":"2025-11-17.clover","created":%d,\
				"data":{"object":{"id":"cs_test_a1B2c3D4e5F6g7H8i9J0","object":"checkout.session",\
				"adaptive_pricing":null,"after_expiration":null,"allow_promotion_codes":null,"amount_subtotal":2000,\
				"amount_total":2000,"automatic_tax":{"enabled":false,"liability":null,"status":null},\
				"billing_address_collection":null,"cancel_url":null,"client_reference_id":"%s","client_secret":null,\
				"consent":null,"consent_collection":null,"created":%d,"currency":"usd","custom_fields":[],\
				"custom_text":{"after_submit":null,"shipping_address":null,"submit":null,\
				"terms_of_service_acceptance":null},"customer":"%s","customer_creation":"always",\
				"customer_details":{"address":{"city":null,"country":"US","line1":null,"line2":null,\
				"postal_code":"94107","state":null},"email":"billing@example.com","name":"New Organization",\
				"phone":null,"tax_exempt":"none","tax_ids":[]},"customer_email":null,"expires_at":%d,\
				"invoice":"in_1QnewInvoice","invoice_creation":null,"livemode":false,"locale":null,"metadata":{},\
				"mode":"subscription","payment_intent":null,"payment_link":null,"payment_method_collection":"always",\
				"payment_method_types":["card"],"payment_status":"paid","phone_number_collection":{"enabled":false},\
				"recovered_from":null,"setup_intent":null,"shipping_address_collection":null,"shipping_cost":null,\
				"status":"complete","submit_type":null,"subscription":"sub_1QnewSubscription",\
				"success_url":"https://example.com/welcome","total_details":{"amount_discount":0,\
				"amount_shipping":0,"amount_tax":0},"ui_mode":"hosted","url":null}},"livemode":false,\
				"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"checkout.session.completed"}"""
			.formatted(id, now, organization, now, customerId, now + 86400);
	}

	private static int deliver(AssertableWebApplicationContext context, String payload) throws Exception {
		return StripeStub.deliver(context, PATH, payload, SECRET);
	}

	/** A test of two instances. */
	@FunctionalInterface
	private interface TwoInstances {

		void run(AssertableWebApplicationContext first, AssertableWebApplicationContext second) throws Throwable;

	}

}
