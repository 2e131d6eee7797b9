package dev.metering.provider.stripe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;
import dev.metering.MeteringAdvisor;
import dev.metering.UsageLimitExceededException;
import dev.metering.actuate.MeteringEndpoint.MeteringDescriptor;
import dev.metering.actuate.MeteringEndpoint;
import dev.metering.actuate.MeteringHealthIndicator;
import dev.metering.reconcile.UsageReconciler;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.StubServer;
import dev.metering.support.WireMockJournal;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What the people who run a Stripe-billed application see through Actuator: the metering
 * health through an outage, a database failure and a dead letter, the endpoint re-driving
 * that dead letter, and metrics under the names docs/operations.md documents, moving as
 * events are delivered, retried, refused and reconciled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StripeOperationsTests {

	private static final String API_KEY = "sk_test_operations";

	@RegisterExtension
	private final StubServer stripe = new StubServer();

	@BeforeEach
	void reset() {
		this.stripe.stubFor(StripeStub.subscriptions().willReturn(StripeStub.noSubscriptions()));
	}

	private ApplicationContextRunner contextRunner(DataSource dataSource) {
		return new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, ObservationAutoConfiguration.class,
					EndpointAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class))
			.withBean(DataSource.class, () -> dataSource)
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=" + API_KEY,
					"metering.stripe.api-base=" + this.stripe.baseUrl(),
					"metering.stripe.meter-events-base=" + this.stripe.baseUrl(), "metering.stripe.read-timeout=2s",
					"metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.meter-id=mtr_tokens",
					"metering.meters.ai-tokens.limit-key=aiTokens", "metering.jdbc.initialize-schema=always",
					"metering.delivery.flush-interval=20ms", "metering.delivery.initial-backoff=20ms",
					"metering.delivery.max-backoff=100ms", "metering.delivery.max-attempts=1000",
					"management.endpoint.health.show-details=always",
					"management.endpoints.web.exposure.include=health,metering");
	}

	@Test
	void healthIsDegradedWhileAnOutageHoldsUsageBackAndUpOnceItIsDelivered() {
		this.stripe.stubFor(StripeStub.meterEvents()
			.willReturn(StripeStub.error(500, "api_error", null, "An unknown error occurred")));
		contextRunner(new BreakableDataSource()).withPropertyValues("metering.health.max-delivery-lag=300ms")
			.run((context) -> {
				HealthEndpoint health = context.getBean(HealthEndpoint.class);
				BillingClient billing = context.getBean(BillingClient.class);
				assertThat(metering(health).getStatus()).isEqualTo(Status.UP);

				billing.recordUsage("ai_tokens", "cus_1", 12);

				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					IndicatedHealthDescriptor degraded = metering(health);
					assertThat(degraded.getStatus()).isEqualTo(MeteringHealthIndicator.DEGRADED);
					assertThat(degraded.getDetails()).containsEntry("provider", "stripe")
						.containsEntry("pending", 1L)
						.containsEntry("deadLetters", 0L)
						.containsEntry("maxDeliveryLag", "PT0.3S")
						.containsKey("lagging");
					assertThat(degraded.getDetails().toString()).doesNotContain(API_KEY);
				});
				assertThat(health.health().getStatus()).as("the application stays up").isEqualTo(Status.UP);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("metering.outbox.pending").gauge().value()).isOne();
				assertThat(registry.get("metering.outbox.oldest-pending.age").timeGauge().value(TimeUnit.MILLISECONDS))
					.isGreaterThan(300);

				this.stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
				assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();

				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(registry.get("metering.outbox.pending").gauge().value()).isZero());
				IndicatedHealthDescriptor recovered = metering(health);
				assertThat(recovered.getStatus()).isEqualTo(Status.UP);
				assertThat(recovered.getDetails()).containsEntry("pending", 0L)
					.containsEntry("oldestPendingAge", "PT0S")
					.doesNotContainKey("lagging");
			});
	}

	@Test
	void healthIsDownWhileTheOutboxCannotBeReadAndUpWhenItCanAgain() {
		this.stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		BreakableDataSource database = new BreakableDataSource();
		contextRunner(database).run((context) -> {
			HealthEndpoint health = context.getBean(HealthEndpoint.class);

			database.broken = true;
			IndicatedHealthDescriptor down = metering(health);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("provider", "stripe")
				.containsEntry("error", "org.springframework.jdbc.CannotGetJdbcConnectionException");
			assertThat(down.getDetails().toString()).as("the failure's message").doesNotContain("jdbc:h2");

			database.broken = false;
			assertThat(metering(health).getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void aDeadLetterDegradesHealthUntilTheEndpointReDrivesItAndItIsDeliveredOnce() {
		this.stripe.stubFor(StripeStub.meterEvents()
			.inScenario("fix")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(StripeStub.error(400, "invalid_request_error", "resource_missing",
					"No such customer: 'cus_late'")));
		this.stripe.stubFor(StripeStub.meterEvents()
			.inScenario("fix")
			.whenScenarioStateIs("customer created")
			.willReturn(StripeStub.meterEventCreated()));
		contextRunner(new BreakableDataSource()).run((context) -> {
			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			BillingClient billing = context.getBean(BillingClient.class);
			MeteringEndpoint endpoint = context.getBean(MeteringEndpoint.class);
			String identifier = billing.recordUsage("ai_tokens", "cus_late", 12).identifier();
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();

			IndicatedHealthDescriptor degraded = metering(health);
			assertThat(degraded.getStatus()).isEqualTo(MeteringHealthIndicator.DEGRADED);
			assertThat(degraded.getDetails()).containsEntry("deadLetters", 1L).containsKey("deadLettered");
			MeteringDescriptor listed = endpoint.metering(null, null);
			assertThat(listed.deadLetters()).isOne();
			assertThat(listed.deadLettersByEventName()).containsExactly(Map.entry("ai_tokens", 1L));
			assertThat(listed.deadLetterPage().items()).singleElement().satisfies((dead) -> {
				assertThat(dead.identifier()).isEqualTo(identifier);
				assertThat(dead.customerId()).isEqualTo("cus_late");
				assertThat(dead.value()).isEqualTo(12);
				assertThat(dead.code()).isEqualTo("resource_missing");
				assertThat(dead.message()).isEqualTo("No such customer: 'cus_late'");
			});

			this.stripe.setScenarioState("fix", "customer created");
			assertThat(endpoint.act("redrive", identifier, null, null))
				.isEqualTo(new MeteringEndpoint.RedriveDescriptor(1));
			assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();

			assertThat(accepted(identifier)).as("accepted once").isOne();
			assertThat(metering(health).getStatus()).isEqualTo(Status.UP);
			assertThat(endpoint.metering(null, null).deadLetters()).isZero();
			assertThat(endpoint.act("redrive", identifier, null, null))
				.isEqualTo(new MeteringEndpoint.RedriveDescriptor(0));
		});
	}

	@Test
	void metricsHaveTheDocumentedNamesAndMoveWithWhatHappens() {
		Instant yesterday = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
		// cus_late is unknown to Stripe; the first request of the others meets a passing
		// failure
		this.stripe.stubFor(StripeStub.meterEvents()
			.atPriority(1)
			.withRequestBody(containing("cus_late"))
			.willReturn(StripeStub.error(400, "invalid_request_error", "resource_missing", "No such customer")));
		this.stripe.stubFor(StripeStub.meterEvents()
			.inScenario("blip")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(StripeStub.error(500, "api_error", null, "An unknown error occurred"))
			.willSetStateTo("recovered"));
		this.stripe.stubFor(StripeStub.meterEvents()
			.inScenario("blip")
			.whenScenarioStateIs("recovered")
			.willReturn(StripeStub.meterEventCreated()));
		// org_unknown's customer cannot be told at first, and is later: its usage waits
		// for it;
		// org_nobody has no customer at all
		this.stripe.stubFor(StripeStub.customerSearch()
			.atPriority(1)
			.withQueryParam("query", containing("org_nobody"))
			.willReturn(StripeStub.customers("organization_id", "org_nobody", List.of())));
		this.stripe.stubFor(StripeStub.customerSearch()
			.inScenario("search")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(StripeStub.error(500, "api_error", null, "An unknown error occurred"))
			.willSetStateTo("answering"));
		this.stripe.stubFor(StripeStub.customerSearch()
			.inScenario("search")
			.whenScenarioStateIs("answering")
			.willReturn(StripeStub.customers("organization_id", "org_unknown", List.of("cus_named"))));
		this.stripe.stubFor(StripeStub.subscriptions().willReturn(StripeStub.noSubscriptions()));
		this.stripe.stubFor(StripeStub.eventSummaries("mtr_tokens")
			.withQueryParam("customer", equalTo("cus_1"))
			.willReturn(StripeStub.summaries("mtr_tokens", false, new long[] { yesterday.getEpochSecond(),
					yesterday.plus(Duration.ofDays(1)).getEpochSecond(), 5 })));
		contextRunner(new BreakableDataSource())
			.withPropertyValues("metering.accounts.org_acme.customer-id=cus_1", "metering.accounts.org_acme.plan=free",
					"metering.accounts.org_typo.customer-id=acme", "metering.plans.free.limits.aiTokens=10",
					"metering.outbox.sync=true", "metering.on-missing-customer=skip",
					"metering.cache.failure-backoff=50ms",
					// passes at start and on flush: what is recorded before a flush
					// mostly goes in one
					"metering.delivery.flush-interval=1h")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				BillingClient billing = context.getBean(BillingClient.class);
				ChatClient chat = meteredChat(context, new FixedUsageChatModel(3, 4));
				chat(chat, "org_acme");
				chat(chat, "org_acme");
				assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> chat(chat, "org_acme"));
				chat(chat, "org_unknown");
				// a model that reports no usage: billed (here to nobody) by estimate, and
				// counted
				chat(meteredChat(context, new FixedUsageChatModel(0, 0)), "org_nobody");
				billing.recordUsage("ai_tokens", "cus_late", 3);
				billing.recordUsage("ai_tokens", "cus_1", 5, yesterday.plus(Duration.ofHours(12)));
				// an account whose customer ID is not Stripe's kind: the call runs, its
				// usage is refused
				chat(chat, "org_typo");

				assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
				context.getBean(UsageReconciler.class).reconcile(yesterday, yesterday.plus(Duration.ofDays(1)));

				// the two calls' events went as one, unless the pass at start took the
				// first alone;
				// one request met the blip, and all went through in the end
				double coalesced = count(registry, "metering.events.coalesced");
				assertThat(coalesced).isIn(0.0, 2.0);
				double delivered = count(registry, "metering.events.delivered");
				// and org_unknown's, once Stripe named its customer
				assertThat(delivered).isEqualTo(4 - coalesced / 2);
				assertThat(registry.get("metering.delivery.latency").timer().count()).isEqualTo((long) delivered);
				assertThat(registry.get("metering.delivery.latency").timer().takeSnapshot().percentileValues())
					.extracting(io.micrometer.core.instrument.distribution.ValueAtPercentile::percentile)
					.containsExactly(0.5, 0.95, 0.99);
				assertThat(requests(registry, "delivered")).isEqualTo((long) delivered);
				assertThat(count(registry, "metering.events.retried")).isOne();
				assertThat(requests(registry, "retry")).isOne();
				assertThat(count(registry, "metering.events.dead-lettered")).isOne();
				assertThat(requests(registry, "rejected")).isOne();
				assertThat(count(registry, "metering.events.refused")).isOne();
				assertThat(registry.get("metering.calls.over-limit").tag("limit", "aiTokens").counter().count())
					.isOne();
				assertThat(count(registry, "metering.calls.unbilled")).isOne();
				assertThat(registry.get("metering.usage.estimated").tag("reason", "unreported").counter().count())
					.isOne();
				assertThat(registry.get("metering.lookups.failed").tag("lookup", "customer").counter().count()).isOne();
				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(registry.find("metering.thresholds.reached")
						.counters()
						.stream()
						.map((counter) -> counter.getId().getTag("threshold") + "=" + counter.count()))
						.containsExactlyInAnyOrder("75=1.0", "90=1.0", "100=1.0"));
				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(registry.get("metering.outbox.pending").gauge().value()).isZero());
				assertThat(registry.get("metering.outbox.dead-letters").gauge().value()).isOne();
				assertThat(registry.get("metering.outbox.awaiting-customer").gauge().value()).isZero();
				assertThat(registry.get("metering.outbox.oldest-pending.age").timeGauge().value()).isZero();
				assertThat(registry.get("metering.reconcile.drift").tag("meter", "ai-tokens").gauge().value()).isZero();
				assertThat(registry.get("metering.reconcile.mismatches").tag("meter", "ai-tokens").counter().count())
					.isZero();

				assertThat(meteringNames(registry)).isEqualTo(documentedNames().stream()
					.filter((name) -> !name.equals("metering.calls.reservation-waits"))
					.collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
				assertThat(registry.getMeters().toString()).doesNotContain(API_KEY);
			});
	}

	private static ChatClient meteredChat(ApplicationContext context, ChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	private static void chat(ChatClient chat, String organization) {
		chat.prompt("hi")
			.advisors((advisors) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	private static double count(MeterRegistry registry, String name) {
		return registry.get(name).counter().count();
	}

	private static long requests(MeterRegistry registry, String outcome) {
		return registry.get("metering.provider.requests")
			.tag("provider", "stripe")
			.tag("outcome", outcome)
			.timer()
			.count();
	}

	/**
	 * Without the gauges a registry adds for a timer's percentiles, which are the
	 * timer's.
	 */
	private static Set<String> meteringNames(MeterRegistry registry) {
		return registry.getMeters()
			.stream()
			.map(Meter::getId)
			.map(Meter.Id::getName)
			.filter((name) -> name.startsWith("metering.") && !name.endsWith(".percentile"))
			.collect(java.util.stream.Collectors.toCollection(TreeSet::new));
	}

	/** The metric names in the metrics table of docs/operations.md. */
	private static Set<String> documentedNames() throws IOException {
		String operations = Files.readString(Path.of("..", "docs", "operations.md"));
		String table = operations.substring(operations.indexOf("| metric | type | tags |"));
		table = table.substring(0, table.indexOf("\n\n"));
		Set<String> names = new TreeSet<>();
		Matcher name = Pattern.compile("`(metering\\.[a-z.-]+)`").matcher(table);
		while (name.find()) {
			names.add(name.group(1));
		}
		return names;
	}

	private static IndicatedHealthDescriptor metering(HealthEndpoint health) {
		HealthDescriptor descriptor = health.healthForPath("metering");
		assertThat(descriptor).isInstanceOf(IndicatedHealthDescriptor.class);
		return (IndicatedHealthDescriptor) descriptor;
	}

	/** How many times Stripe accepted the event with this identifier. */
	private long accepted(String identifier) {
		return WireMockJournal.completed(this.stripe)
			.stream()
			.filter((event) -> event.getRequest().getUrl().equals(StripeStub.METER_EVENTS))
			.filter((event) -> event.getResponse().getStatus() == 200)
			.filter((event) -> identifier.equals(event.getRequest().formParameter("identifier").firstValue()))
			.count();
	}

	/**
	 * An H2 database that can be made unreachable, as a database server that went down
	 * is.
	 */
	static final class BreakableDataSource extends DelegatingDataSource {

		volatile boolean broken;

		BreakableDataSource() {
			JdbcDataSource h2 = new JdbcDataSource();
			h2.setURL("jdbc:h2:mem:operations-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
			setTargetDataSource(h2);
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (this.broken) {
				throw new SQLException("Connection refused: jdbc:h2:mem:operations");
			}
			return super.getConnection();
		}

	}

}
