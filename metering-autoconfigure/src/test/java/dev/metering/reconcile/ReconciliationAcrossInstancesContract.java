package dev.metering.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.BillingClient;
import dev.metering.UsageDimensions;
import dev.metering.actuate.MeteringEndpoint;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;
import dev.metering.provider.local.InMemoryLocalMeterStore;
import dev.metering.provider.local.LocalMeterProvider;
import dev.metering.provider.local.LocalMeterStore;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of an application on one database, each with the reconciliation
 * scheduled: the one that takes the lock reconciles a run, reading the provider once, and
 * the other skips it, naming the holder; a lock whose holder died is taken over once its
 * hold has passed; the endpoint reconciles on the instance asked. Run against a real
 * database by each subclass.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class ReconciliationAcrossInstancesContract {

	private static final Instant YESTERDAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));

	/** The customers usage is recorded for: the provider is read once for each. */
	private static final int CUSTOMERS = 3;

	/** The provider both instances deliver to and read from, as a hosted one would be. */
	private final ReadCountingStore provider = new ReadCountingStore();

	/** The properties of a database of the test's own, which both instances share. */
	abstract String[] dataSourceProperties();

	private ApplicationContextRunner instance(String[] dataSource) {
		return new ApplicationContextRunner()
			.withConfiguration(
					MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class, EndpointAutoConfiguration.class))
			.withBean(MeterProvider.class, () -> new LocalMeterProvider(this.provider))
			.withPropertyValues(dataSource)
			.withPropertyValues("metering.jdbc.initialize-schema=always", "metering.reconcile.enabled=true",
					"metering.limits.store=memory");
	}

	@Test
	void aScheduledRunStartedOnTwoInstancesAtOnceReadsTheProviderOnceAndIsReportedOnce(CapturedOutput output) {
		String[] dataSource = dataSourceProperties();
		instance(dataSource).run((first) -> instance(dataSource).run((second) -> {
			recordYesterday(first.getBean(BillingClient.class));
			this.provider.reads.set(0);

			List<Boolean> reconciled = atOnce(first.getBean(ReconciliationSchedule.class),
					second.getBean(ReconciliationSchedule.class));

			assertThat(reconciled).containsExactlyInAnyOrder(true, false);
			assertThat(this.provider.reads).as("one read a customer").hasValue(CUSTOMERS);
			String holder = new JdbcTemplate(first.getBean(DataSource.class)).queryForObject(
					"SELECT holder FROM metering_lock WHERE name = ?", String.class, ReconciliationSchedule.LOCK);
			assertThat(output).containsOnlyOnce("Reconciled usage from " + YESTERDAY)
				.containsOnlyOnce(
						"Skipped the scheduled usage reconciliation: instance " + holder + " holds its lock until ");
		}));
	}

	@Test
	void aLockWhoseHolderDiedIsTakenOverOnceItsHoldHasPassed(CapturedOutput output) {
		instance(dataSourceProperties()).run((context) -> {
			recordYesterday(context.getBean(BillingClient.class));
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			jdbc.update("INSERT INTO metering_lock (name, holder, locked_until) VALUES (?, ?, ?)",
					ReconciliationSchedule.LOCK, "instance-that-died", Instant.now().plusSeconds(60).toEpochMilli());
			ReconciliationSchedule schedule = context.getBean(ReconciliationSchedule.class);
			this.provider.reads.set(0);

			assertThat(schedule.reconcileOnSchedule()).isFalse();
			assertThat(output).contains("Skipped the scheduled usage reconciliation: instance instance-that-died "
					+ "holds its lock until ");
			assertThat(this.provider.reads).hasValue(0);

			jdbc.update("UPDATE metering_lock SET locked_until = ? WHERE name = ?",
					Instant.now().minusMillis(1).toEpochMilli(), ReconciliationSchedule.LOCK);
			assertThat(schedule.reconcileOnSchedule()).isTrue();
			assertThat(this.provider.reads).hasValue(CUSTOMERS);
		});
	}

	@Test
	void theEndpointReconcilesOnTheInstanceAskedWhileAnotherHoldsTheLock() {
		instance(dataSourceProperties()).withPropertyValues("management.endpoints.web.exposure.include=metering")
			.run((context) -> {
				recordYesterday(context.getBean(BillingClient.class));
				new JdbcTemplate(context.getBean(DataSource.class)).update(
						"INSERT INTO metering_lock (name, holder, locked_until) VALUES (?, ?, ?)",
						ReconciliationSchedule.LOCK, "another-instance", Instant.now().plusSeconds(60).toEpochMilli());
				this.provider.reads.set(0);

				MeteringEndpoint.ReconciliationDescriptor answer = (MeteringEndpoint.ReconciliationDescriptor) context
					.getBean(MeteringEndpoint.class)
					.act("reconcile", null, null, null);

				assertThat(answer.compared()).isEqualTo(CUSTOMERS);
				assertThat(this.provider.reads).hasValue(CUSTOMERS);
			});
	}

	/**
	 * @return whether each schedule reconciled, in their order
	 */
	private static List<Boolean> atOnce(ReconciliationSchedule... schedules) throws Exception {
		CyclicBarrier start = new CyclicBarrier(schedules.length);
		ExecutorService threads = Executors.newFixedThreadPool(schedules.length);
		try {
			List<Future<Boolean>> runs = new ArrayList<>();
			for (ReconciliationSchedule schedule : schedules) {
				runs.add(threads.submit(() -> {
					start.await();
					return schedule.reconcileOnSchedule();
				}));
			}
			List<Boolean> reconciled = new ArrayList<>();
			for (Future<Boolean> run : runs) {
				reconciled.add(run.get());
			}
			return reconciled;
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static void recordYesterday(BillingClient billing) {
		for (int i = 0; i < 12; i++) {
			assertThat(billing
				.recordUsage("ai_tokens", "cus_" + (i % CUSTOMERS), 100 + i,
						YESTERDAY.plus(Duration.ofMinutes(97L * i)))
				.recorded()).isTrue();
		}
		assertThat(billing.flush(Duration.ofSeconds(10))).isTrue();
	}

	/**
	 * The local meter's sums in memory, counting how often they are read for a window.
	 */
	static final class ReadCountingStore implements LocalMeterStore {

		private final LocalMeterStore store = new InMemoryLocalMeterStore();

		final AtomicInteger reads = new AtomicInteger();

		@Override
		public DeliveryOutcome add(UsageEvent event) {
			return this.store.add(event);
		}

		@Override
		public long sum(String eventName, String customerId, Instant start, Instant end) {
			this.reads.incrementAndGet();
			return this.store.sum(eventName, customerId, start, end);
		}

		@Override
		public long sum(String eventName, String customerId, UsageDimensions filter, Instant start, Instant end) {
			return this.store.sum(eventName, customerId, filter, start, end);
		}

		@Override
		public long eventCount(String eventName, String customerId) {
			return this.store.eventCount(eventName, customerId);
		}

	}

}
