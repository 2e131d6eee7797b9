package dev.metering.benchmarks;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.metering.limits.Admission;
import dev.metering.limits.BillingPeriod;
import dev.metering.limits.StoreFailurePolicy;
import dev.metering.limits.UsageLedger;
import dev.metering.limits.UsageLedgers;

/**
 * Admitted calls a second for one hot organization: each call reserves 1,001 tokens and
 * settles 17, against a limit far away. Compare {@code ledger=memory} with the ledger on
 * embedded PostgreSQL, used by one instance ({@code jdbc}) or by two sharing the database
 * ({@code jdbc-two-instances}, the threads split between them).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(4)
public class UsageLedgerBenchmark {

	private static final long LIMIT = 1_000_000_000_000_000L;

	private static final BillingPeriod PERIOD = new BillingPeriod(Instant.now().truncatedTo(ChronoUnit.DAYS),
			Instant.now().truncatedTo(ChronoUnit.DAYS).plus(30, ChronoUnit.DAYS));

	@Param({ "memory", "jdbc", "jdbc-two-instances" })
	public String ledger;

	private @Nullable EmbeddedPostgres postgres;

	private final List<UsageLedger> instances = new ArrayList<>();

	private final AtomicInteger threads = new AtomicInteger();

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		List<Integer> thresholds = List.of(75, 90, 100);
		ApplicationEventPublisher events = (event) -> {
		};
		if ("memory".equals(this.ledger)) {
			this.instances.add(UsageLedgers.inMemory(thresholds, List.of(), events));
			return;
		}
		this.postgres = EmbeddedPostgres.start();
		DataSource dataSource = this.postgres.getPostgresDatabase();
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource);
		int count = "jdbc".equals(this.ledger) ? 1 : 2;
		NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(dataSource);
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		for (int i = 0; i < count; i++) {
			this.instances.add(UsageLedgers.inDatabase(JdbcClient.create(jdbc), jdbc, transactions, thresholds,
					List.of(), events, Duration.ofMillis(200), UUID.randomUUID().toString(), Duration.ofSeconds(30),
					StoreFailurePolicy.ALLOW, null, Clock.systemUTC()));
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() throws Exception {
		for (UsageLedger instance : this.instances) {
			if (instance instanceof AutoCloseable closeable) {
				closeable.close();
			}
		}
		if (this.postgres != null) {
			this.postgres.close();
		}
	}

	@Benchmark
	public Admission admitAndSettle(Caller caller) {
		Admission admission = caller.ledger.tryReserve("org_hot", "aiTokens", PERIOD, LIMIT, 1001, Duration.ZERO);
		if (!(admission instanceof Admission.Reservation reservation)) {
			throw new IllegalStateException("A call was refused far from the limit: " + admission);
		}
		caller.ledger.settle(reservation, 17);
		return admission;
	}

	/** A calling thread, on one of the instances in turn. */
	@State(Scope.Thread)
	public static class Caller {

		UsageLedger ledger;

		@Setup(Level.Trial)
		public void setUp(UsageLedgerBenchmark benchmark) {
			this.ledger = benchmark.instances.get(benchmark.threads.getAndIncrement() % benchmark.instances.size());
		}

	}

}
