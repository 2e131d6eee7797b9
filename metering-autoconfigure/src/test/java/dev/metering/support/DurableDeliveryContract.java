package dev.metering.support;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

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
import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.outbox.UsageOutbox;
import dev.metering.outbox.UsageOutboxes;
import dev.metering.provider.UsageEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every hosted provider passes, delivering to a stub of its API from a PostgreSQL
 * outbox: dead letters re-driven, outages ridden out, several instances sharing one
 * backlog with each event sent once, and coalescing. A subclass speaks its provider's
 * wire format.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DurableDeliveryContract {

	@RegisterExtension
	private final StubServer server = new StubServer();

	private EmbeddedPostgres postgres;

	/** Pooled, as an application's data source is. */
	private HikariDataSource dataSource;

	/** The provider's auto-configuration. */
	protected abstract Class<?> providerAutoConfiguration();

	/**
	 * The properties that point the provider at the stub, with a read timeout of 300ms.
	 */
	protected abstract String[] providerProperties(String baseUrl);

	/** The request that delivers events. */
	protected abstract MappingBuilder deliveries();

	/** The answer to a delivery the provider accepts. */
	protected abstract ResponseDefinitionBuilder accepted();

	protected abstract ResponseDefinitionBuilder serverError();

	protected abstract ResponseDefinitionBuilder rateLimited();

	/** How the provider refuses the event of a customer it does not know, for good. */
	protected abstract Refusal unknownCustomer();

	/** The events a delivery request carries. */
	protected abstract List<SentEvent> eventsOf(LoggedRequest request);

	/**
	 * The property that gives the provider's client a read timeout a busy machine never
	 * reaches, for tests that count sends: a request timed out after the stub accepted it
	 * is sent again, rightly, and would count twice.
	 */
	protected abstract String patientReadTimeout();

	@BeforeAll
	void start() throws IOException {
		this.postgres = EmbeddedPostgres.start();
		this.dataSource = new HikariDataSource();
		this.dataSource.setDataSource(this.postgres.getPostgresDatabase());
		this.dataSource.setMaximumPoolSize(10);
	}

	@AfterAll
	void stop() throws IOException {
		this.dataSource.close();
		this.postgres.close();
	}

	@BeforeEach
	void reset() {
		new JdbcTemplate(this.dataSource).execute("DROP TABLE IF EXISTS metering_usage_event");
	}

	private ApplicationContextRunner contextRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JdbcOutboxAutoConfiguration.class, MeteringAutoConfiguration.class,
					providerAutoConfiguration()))
			.withBean(javax.sql.DataSource.class, () -> new DelegatingDataSource(this.dataSource))
			.withPropertyValues(providerProperties(this.server.baseUrl()))
			.withPropertyValues("metering.jdbc.initialize-schema=always", "metering.delivery.flush-interval=20ms",
					"metering.delivery.initial-backoff=20ms", "metering.delivery.max-backoff=100ms",
					"metering.delivery.max-attempts=50", "metering.delivery.coalesce=false");
	}

	@Test
	void deadLettersKeepTheReasonAndAreDeliveredOnceWhenReDrivenAfterTheFix() {
		Refusal refusal = unknownCustomer();
		this.server.stubFor(
				deliveries().inScenario("fix").whenScenarioStateIs(Scenario.STARTED).willReturn(refusal.response()));
		contextRunner().run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			MeteringAdmin admin = context.getBean(MeteringAdmin.class);
			String identifier = billing.recordUsage("ai_tokens", refusal.customerId(), 12).identifier();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
			assertThat(admin.deadLetters()).singleElement().satisfies((dead) -> {
				assertThat(dead.event().identifier()).isEqualTo(identifier);
				assertThat(dead.code()).isEqualTo(refusal.code());
				assertThat(dead.message()).isEqualTo(refusal.message());
			});

			this.server
				.stubFor(deliveries().inScenario("fix").whenScenarioStateIs("customer created").willReturn(accepted()));
			this.server.setScenarioState("fix", "customer created");
			assertThat(admin.redriveAll()).isOne();
			assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();

			assertThat(admin.deadLetters()).isEmpty();
			assertThat(sentEvents()).hasSize(2)
				.allSatisfy((event) -> assertThat(event.identifier()).isEqualTo(identifier));
		});
	}

	@Test
	void anOutageIsRiddenOutWithEveryEventDeliveredOnceAndRecordingNeverWaits() {
		String outage = "outage";
		this.server.stubFor(deliveries().inScenario(outage)
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(accepted().withFixedDelay(1000))
			.willSetStateTo("500"));
		this.server.stubFor(deliveries().inScenario(outage)
			.whenScenarioStateIs("500")
			.willReturn(serverError())
			.willSetStateTo("429"));
		this.server.stubFor(deliveries().inScenario(outage)
			.whenScenarioStateIs("429")
			.willReturn(rateLimited())
			.willSetStateTo("recovered"));
		this.server.stubFor(deliveries().inScenario(outage).whenScenarioStateIs("recovered").willReturn(accepted()));
		// WireMock may match a request while concurrent ones move the scenario on, and
		// then find
		// no stub: such a request meets the outage too, not a 404 that dead-letters its
		// event
		this.server.stubFor(deliveries().atPriority(10).willReturn(serverError()));
		contextRunner().run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			Map<String, Long> recorded = new HashMap<>();
			for (int i = 0; i < 200; i++) {
				var result = billing.recordUsage("ai_tokens", "cus_" + (i % 4), i);
				assertThat(result.recorded()).isTrue();
				recorded.put(result.identifier(), (long) i);
			}
			// all 200 were accepted while the first request to the provider was still
			// stalled
			assertThat(this.server.getAllServeEvents()).hasSizeLessThanOrEqualTo(4);

			assertThat(billing.flush(Duration.ofSeconds(30))).isTrue();
			assertThat(context.getBean(MeteringAdmin.class).deadLetters()).isEmpty();
			assertThat(deliveredOnceByIdentifier()).isEqualTo(recorded);
		});
	}

	@Test
	void instancesSharingOneDatabaseDrainABacklogSendingEachEventOnce() {
		this.server.stubFor(deliveries().willReturn(accepted().withFixedDelay(5)));
		// a backlog left in the shared table by instances that stopped before delivering
		// it
		Map<String, Long> recorded = new HashMap<>();
		List<UsageEvent> backlog = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			UsageEvent event = new UsageEvent("usage_backlog_" + i, "ai_tokens", "cus_" + (i % 20), 1 + i % 3,
					Instant.now().minusSeconds(60));
			backlog.add(event);
			recorded.put(event.identifier(), event.value());
		}
		new MeteringDataSourceScriptDatabaseInitializer(this.dataSource, DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		UsageOutbox table = UsageOutboxes.inDatabase(StoreJdbc.client(this.dataSource),
				StoreJdbc.batches(this.dataSource), StoreJdbc.transactions(this.dataSource), Clock.systemUTC(),
				Set.of(), null);
		backlog.forEach(table::append);
		ApplicationContextRunner patient = contextRunner().withPropertyValues(patientReadTimeout());
		patient.run((first) -> patient.run((second) -> {
			assertThat(first.getBean(BillingClient.class).flush(Duration.ofSeconds(30))).isTrue();
			assertThat(second.getBean(BillingClient.class).flush(Duration.ofSeconds(30))).isTrue();
		}));
		assertThat(sentEvents()).hasSize(400);
		assertThat(deliveredOnceByIdentifier()).isEqualTo(recorded);
	}

	@Test
	void coalescingSendsTenThousandEventsOfTenCustomersInAFewDozenCallsWithExactSums() {
		this.server.stubFor(deliveries().willReturn(accepted()));
		Map<String, Long> recordedPerCustomer = new HashMap<>();
		// a pass only at start and on flush: how many passes fall while recording must
		// not depend
		// on how fast this machine records
		contextRunner().withPropertyValues("metering.delivery.flush-interval=1h", "metering.delivery.coalesce=true")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				for (int i = 0; i < 10_000; i++) {
					String customer = "cus_" + (i % 10);
					long value = 1 + i % 7;
					assertThat(billing.recordUsage("ai_tokens", customer, value).recorded()).isTrue();
					recordedPerCustomer.merge(customer, value, Long::sum);
				}
				// written first, so that the flush's passes find every event stored:
				// passes that
				// meet a writer still at work send what each of its groups stored as it
				// lands
				GroupCommitOutbox writer = context.getBean(GroupCommitOutbox.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> writer.queuedCount() == 0);
				assertThat(billing.flush(Duration.ofSeconds(30))).isTrue();
			});
		// counted as providers count them, a repeated identifier once: on a busy machine
		// a read
		// timeout sends a request again under the same identifier
		Map<String, SentEvent> sentOnce = sentEvents().stream()
			.collect(Collectors.toMap(SentEvent::identifier, (event) -> event, (first, again) -> first));
		assertThat(sentOnce).hasSizeLessThanOrEqualTo(40);
		Map<String, Long> billedPerCustomer = sentOnce.values()
			.stream()
			.collect(Collectors.toMap(SentEvent::customerId, SentEvent::value, Long::sum));
		assertThat(billedPerCustomer).isEqualTo(recordedPerCustomer);
	}

	private List<LoggedRequest> requests() {
		return this.server.findAll(RequestPatternBuilder.like(deliveries().build().getRequest()));
	}

	private List<SentEvent> sentEvents() {
		return requests().stream().flatMap((request) -> eventsOf(request).stream()).toList();
	}

	/**
	 * Values the stub accepted, by identifier, as providers count them: a repeated
	 * identifier once.
	 */
	private Map<String, Long> deliveredOnceByIdentifier() {
		return WireMockJournal.completed(this.server)
			.stream()
			.filter((event) -> event.getResponse().getStatus() == 200)
			.flatMap((event) -> eventsOf(event.getRequest()).stream())
			.collect(Collectors.toMap(SentEvent::identifier, SentEvent::value, (first, again) -> first));
	}

	/**
	 * An event as it went over the wire.
	 *
	 * @param identifier its idempotency identifier
	 * @param customerId the customer it bills
	 * @param value its value
	 */
	public record SentEvent(String identifier, String customerId, long value) {
	}

	/**
	 * How a provider refuses an event for good.
	 *
	 * @param customerId the customer whose event is refused
	 * @param response the provider's answer
	 * @param code the dead letter's code
	 * @param message the dead letter's message
	 */
	public record Refusal(String customerId, ResponseDefinitionBuilder response, String code, String message) {
	}

}
