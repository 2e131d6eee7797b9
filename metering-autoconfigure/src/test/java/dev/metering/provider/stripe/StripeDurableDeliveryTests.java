package dev.metering.provider.stripe;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import dev.metering.BillingClient;
import dev.metering.admin.MeteringAdmin;
import dev.metering.autoconfigure.JdbcOutboxAutoConfiguration;
import dev.metering.autoconfigure.MeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.autoconfigure.StripeMeteringAutoConfiguration;
import dev.metering.outbox.JdbcUsageOutbox;
import dev.metering.provider.UsageEvent;
import dev.metering.support.WireMockJournal;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery to a Stripe stub from a PostgreSQL outbox: dead letters re-driven, outages ridden
 * out, and several instances sharing one backlog, each event sent once.
 */
class StripeDurableDeliveryTests {

	static final WireMockServer stripe = new WireMockServer(WireMockConfiguration.options().dynamicPort());

	static EmbeddedPostgres postgres;

	/** Pooled, as an application's data source is. */
	static HikariDataSource dataSource;

	@BeforeAll
	static void start() throws IOException {
		stripe.start();
		postgres = EmbeddedPostgres.start();
		dataSource = new HikariDataSource();
		dataSource.setDataSource(postgres.getPostgresDatabase());
		dataSource.setMaximumPoolSize(10);
	}

	@AfterAll
	static void stop() throws IOException {
		stripe.stop();
		dataSource.close();
		postgres.close();
	}

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JdbcOutboxAutoConfiguration.class, MeteringAutoConfiguration.class,
				StripeMeteringAutoConfiguration.class))
		.withBean(javax.sql.DataSource.class, () -> new DelegatingDataSource(dataSource))
		.withPropertyValues("metering.jdbc.initialize-schema=always", "metering.provider=stripe",
				"metering.stripe.api-key=sk_test_durable",
				"metering.stripe.api-base=" + stripe.baseUrl(), "metering.stripe.meter-events-base=" + stripe.baseUrl(),
				"metering.stripe.read-timeout=300ms", "metering.delivery.flush-interval=20ms",
				"metering.delivery.initial-backoff=20ms", "metering.delivery.max-backoff=100ms",
				"metering.delivery.max-attempts=50", "metering.delivery.coalesce=false");

	@BeforeEach
	void reset() {
		stripe.resetAll();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("DROP TABLE IF EXISTS metering_usage_event");
	}

	@Test
	void deadLettersKeepTheReasonAndAreDeliveredOnceWhenReDrivenAfterTheFix() {
		stripe.stubFor(StripeStub.meterEvents().inScenario("fix").whenScenarioStateIs(Scenario.STARTED)
			.willReturn(StripeStub.error(400, "invalid_request_error", "resource_missing", "No such customer: 'cus_late'")));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			MeteringAdmin admin = context.getBean(MeteringAdmin.class);
			String identifier = billing.recordUsage("ai_tokens", "cus_late", 12).identifier();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(admin.deadLetters()).singleElement().satisfies((dead) -> {
				assertThat(dead.event().identifier()).isEqualTo(identifier);
				assertThat(dead.code()).isEqualTo("resource_missing");
				assertThat(dead.message()).isEqualTo("No such customer: 'cus_late'");
			});

			stripe.stubFor(StripeStub.meterEvents().inScenario("fix").whenScenarioStateIs("customer created")
				.willReturn(StripeStub.meterEventCreated()));
			stripe.setScenarioState("fix", "customer created");
			assertThat(admin.redriveAll()).isOne();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThat(admin.deadLetters()).isEmpty();
			List<LoggedRequest> sent = meterEvents();
			assertThat(sent).hasSize(2).allSatisfy((request) -> assertThat(identifier(request)).isEqualTo(identifier));
		});
	}

	@Test
	void anOutageIsRiddenOutWithEveryEventDeliveredOnceAndRecordingNeverWaits() {
		String outage = "outage";
		stripe.stubFor(StripeStub.meterEvents().inScenario(outage).whenScenarioStateIs(Scenario.STARTED)
			.willReturn(StripeStub.meterEventCreated().withFixedDelay(1000)).willSetStateTo("500"));
		stripe.stubFor(StripeStub.meterEvents().inScenario(outage).whenScenarioStateIs("500")
			.willReturn(StripeStub.error(500, "api_error", null, "An unknown error occurred")).willSetStateTo("429"));
		stripe.stubFor(StripeStub.meterEvents().inScenario(outage).whenScenarioStateIs("429")
			.willReturn(StripeStub.error(429, "invalid_request_error", "rate_limit", "Too many requests"))
			.willSetStateTo("recovered"));
		stripe.stubFor(StripeStub.meterEvents().inScenario(outage).whenScenarioStateIs("recovered")
			.willReturn(StripeStub.meterEventCreated()));
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			Map<String, Long> recorded = new HashMap<>();
			for (int i = 0; i < 200; i++) {
				var result = billing.recordUsage("ai_tokens", "cus_" + (i % 4), i);
				assertThat(result.recorded()).isTrue();
				recorded.put(result.identifier(), (long) i);
			}
			// all 200 were accepted while the first request to Stripe was still stalled
			assertThat(stripe.getAllServeEvents()).hasSizeLessThanOrEqualTo(4);

			assertThat(billing.flush(Duration.ofSeconds(30))).isTrue();
			assertThat(context.getBean(MeteringAdmin.class).deadLetters()).isEmpty();
			Map<String, Long> delivered = deliveredOnceByIdentifier();
			assertThat(delivered).isEqualTo(recorded);
		});
	}

	@Test
	void instancesSharingOneDatabaseDrainABacklogSendingEachEventOnce() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated().withFixedDelay(5)));
		// a backlog left in the shared table by instances that stopped before delivering it
		Map<String, Long> recorded = new HashMap<>();
		List<UsageEvent> backlog = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			UsageEvent event = new UsageEvent("usage_backlog_" + i, "ai_tokens", "cus_" + (i % 20), 1 + i % 3,
					Instant.now().minusSeconds(60));
			backlog.add(event);
			recorded.put(event.identifier(), event.value());
		}
		new MeteringDataSourceScriptDatabaseInitializer(dataSource, DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		new JdbcUsageOutbox(dataSource, Clock.systemUTC()).appendAll(backlog);
		this.contextRunner.run((first) -> this.contextRunner.run((second) -> {
			assertThat(first.getBean(BillingClient.class).flush(Duration.ofSeconds(30))).isTrue();
			assertThat(second.getBean(BillingClient.class).flush(Duration.ofSeconds(30))).isTrue();
		}));
		List<LoggedRequest> sent = meterEvents();
		assertThat(sent).hasSize(400);
		assertThat(deliveredOnceByIdentifier()).isEqualTo(recorded);
	}

	@Test
	void coalescingSendsTenThousandEventsOfTenCustomersInAFewDozenCallsWithExactSums() {
		stripe.stubFor(StripeStub.meterEvents().willReturn(StripeStub.meterEventCreated()));
		Map<String, Long> recordedPerCustomer = new HashMap<>();
		// a pass only at start and on flush: how many passes fall while recording must not depend
		// on how fast this machine records
		this.contextRunner.withPropertyValues("metering.delivery.flush-interval=1h", "metering.delivery.coalesce=true")
			.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			for (int i = 0; i < 10_000; i++) {
				String customer = "cus_" + (i % 10);
				long value = 1 + i % 7;
				assertThat(billing.recordUsage("ai_tokens", customer, value).recorded()).isTrue();
				recordedPerCustomer.merge(customer, value, Long::sum);
			}
			assertThat(billing.flush(Duration.ofSeconds(30))).isTrue();
		});
		List<LoggedRequest> sent = meterEvents();
		assertThat(sent).hasSizeLessThanOrEqualTo(40);
		Map<String, Long> billedPerCustomer = sent.stream()
			.collect(Collectors.toMap((request) -> request.formParameter("payload[stripe_customer_id]").firstValue(),
					(request) -> Long.parseLong(request.formParameter("payload[value]").firstValue()), Long::sum));
		assertThat(billedPerCustomer).isEqualTo(recordedPerCustomer);
	}

	private static List<LoggedRequest> meterEvents() {
		return stripe.findAll(postRequestedFor(urlEqualTo(StripeStub.METER_EVENTS)));
	}

	/** Values the stub accepted, by identifier, as Stripe counts them: a repeated identifier once. */
	private static Map<String, Long> deliveredOnceByIdentifier() {
		return WireMockJournal.completed(stripe)
			.stream()
			.filter((event) -> event.getResponse().getStatus() == 200)
			.map((event) -> event.getRequest())
			.collect(Collectors.toMap(StripeDurableDeliveryTests::identifier,
					(request) -> Long.parseLong(request.formParameter("payload[value]").firstValue()),
					(first, again) -> first));
	}

	private static String identifier(LoggedRequest request) {
		return request.formParameter("identifier").firstValue();
	}

}
