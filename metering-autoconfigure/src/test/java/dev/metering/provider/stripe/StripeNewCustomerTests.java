package dev.metering.provider.stripe;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.FixedUsageChatModel;
import dev.metering.support.MeteredChat;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An organization seen with no Stripe customer checks out, and Stripe's customer search,
 * which lags behind new customers, finds its customer a while later: two instances with
 * the default settings (but {@code metering.cache.missing-refresh} shortened) and no
 * webhooks admit its calls within the missing refresh and one search of Stripe finding
 * it.
 */
class StripeNewCustomerTests {

	static final Duration MISSING_REFRESH = Duration.ofSeconds(1);

	/** One refresh: a search at Stripe (WireMock), with room for a busy machine. */
	static final Duration ONE_REFRESH = Duration.ofSeconds(2);

	@RegisterExtension
	static final StubServer stripe = new StubServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_NewCustomerTestsKey",
				"metering.stripe.api-base=" + stripe.baseUrl(), "metering.stripe.meter-events-base=" + stripe.baseUrl(),
				"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_ai",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=1000",
				"metering.plans.pro.price-ids=price_pro", "metering.plans.pro.limits.aiTokens=100000",
				"metering.cache.missing-refresh=" + MISSING_REFRESH.toMillis() + "ms");

	@BeforeEach
	void stripeTakesMeterEventsAndHasTheSubscription() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		stripe.stubFor(StripeStub.subscriptions()
			.withQueryParam("customer", equalTo("cus_new"))
			.willReturn(StripeStub.activeSubscription("cus_new", "price_pro", 1764547200L, 1767225600L)));
	}

	@Test
	void aNewCustomerIsAdmittedOnEveryInstanceWithinTheMissingRefreshOfTheSearchFindingIt() {
		stripe.stubFor(search().willReturn(StripeStub.customers("organization_id", "org_new", List.of())));
		this.contextRunner.run((first) -> this.contextRunner.run((second) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			MeteredChat one = MeteredChat.of(first, model);
			MeteredChat two = MeteredChat.of(second, model);
			one.assertRefused("org_new");
			two.assertRefused("org_new");

			// checked out: the customer exists, and the search does not find it yet
			await().during(MISSING_REFRESH.multipliedBy(2))
				.atMost(MISSING_REFRESH.multipliedBy(2).plus(ONE_REFRESH))
				.pollInterval(Duration.ofMillis(50))
				.untilAsserted(() -> {
					one.assertRefused("org_new");
					two.assertRefused("org_new");
				});
			assertThat(searches()).as("'none' asked for again, and cached again, while the search lagged")
				.isGreaterThan(2);
			assertThat(model.calls()).isZero();

			stripe.stubFor(search().willReturn(StripeStub.customers("organization_id", "org_new", List.of("cus_new"))));
			await().atMost(MISSING_REFRESH.plus(ONE_REFRESH))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> one.admitted("org_new") && two.admitted("org_new"));
		}));
	}

	private static MappingBuilder search() {
		return StripeStub.customerSearch().withQueryParam("query", containing("org_new"));
	}

	private static int searches() {
		return stripe.findAll(getRequestedFor(urlPathEqualTo("/v1/customers/search"))).size();
	}

}
