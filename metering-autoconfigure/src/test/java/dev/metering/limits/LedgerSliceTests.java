package dev.metering.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one slice of an organization's quota writes back at each periodic flush, flush by
 * flush, against the table on H2.
 */
class LedgerSliceTests {

	private static final BillingPeriod PERIOD = new BillingPeriod(Instant.parse("2026-01-01T00:00:00Z"),
			Instant.parse("2026-02-01T00:00:00Z"));

	private static final long LIMIT = 1_600_000;

	private final DataSource dataSource = database();

	private final LedgerSlice slice = new LedgerSlice(new LedgerKey("org", "tokens", PERIOD), table(), renewedLease(),
			new StoreOutage(StoreFailurePolicy.ALLOW), Clock.systemUTC());

	@Test
	void aBusyOrganizationKeepsItsSliceWhileTheFlushWritesItsUsageBack() {
		settle(1_000, 40);
		assertThat(leased()).isEqualTo(100_000);

		LedgerTable.Request request = this.slice.beginFlush();
		// the flush takes the usage settled, not the free part: calls go on meanwhile
		assertThat(request.settled()).isEqualTo(40);
		assertThat(request.returned()).isZero();
		assertThat(request.need()).isZero();
		assertThat(this.slice.reserve(LIMIT, 1_000, Deadline.after(Duration.ZERO)))
			.isInstanceOf(Admission.Reservation.class);
		this.slice.endFlush(request, table().exchange(request));

		assertThat(row()).containsExactly(40L, 100_000L - 40);
	}

	@Test
	void anOrganizationQuietForOneFlushKeepsItsSliceAndGivesItBackAfterTwo() {
		settle(1_000, 40);
		flush();
		assertThat(row()).containsExactly(40L, 100_000L - 40);

		assertThat(this.slice.beginFlush()).as("quiet for one interval: nothing to write").isNull();
		assertThat(row()).containsExactly(40L, 100_000L - 40);

		flush();
		assertThat(row()).as("quiet for two: the free part goes back").containsExactly(40L, 0L);
		assertThat(this.slice.retireIfEmpty()).isTrue();
	}

	@Test
	void aBusyOrganizationShortOfACallIsToppedUpInTheFlush() {
		// a slice of 100,000 (a sixteenth of the limit), of which a call uses 99,000
		Admission.Reservation first = reserve(99_000);
		this.slice.settle(first.amount(), 99_000);

		LedgerTable.Request request = this.slice.beginFlush();
		assertThat(request.need()).isEqualTo(99_000);
		this.slice.endFlush(request, table().exchange(request));

		// the 1,000 kept and 99,000 more (a call's worth, above a sixteenth of what is
		// left)
		assertThat(row()).containsExactly(99_000L, 100_000L);
		// the next call of that size is admitted from memory: the row stays as it is
		reserve(99_000);
		assertThat(row()).containsExactly(99_000L, 100_000L);
	}

	private void settle(long reserve, long use) {
		Admission.Reservation reservation = reserve(reserve);
		this.slice.settle(reservation.amount(), use);
	}

	private Admission.Reservation reserve(long amount) {
		Admission admission = this.slice.reserve(LIMIT, amount, Deadline.after(Duration.ZERO));
		assertThat(admission).isInstanceOf(Admission.Reservation.class);
		return (Admission.Reservation) admission;
	}

	private void flush() {
		LedgerTable.Request request = this.slice.beginFlush();
		assertThat(request).isNotNull();
		this.slice.endFlush(request, table().exchange(request));
	}

	private LedgerTable table() {
		return new LedgerTable(StoreJdbc.batches(this.dataSource), StoreJdbc.transactions(this.dataSource),
				"this-instance");
	}

	/** A lease renewed just now, for longer than a test runs. */
	private static HolderLease renewedLease() {
		HolderLease lease = new HolderLease(Duration.ofHours(1));
		lease.renewed(System.nanoTime());
		return lease;
	}

	private long leased() {
		return row()[1];
	}

	/** The row's used and leased. */
	private long[] row() {
		return new JdbcTemplate(this.dataSource).queryForObject(
				"SELECT used, leased FROM metering_usage_ledger WHERE reference_id = 'org'",
				(rs, i) -> new long[] { rs.getLong("used"), rs.getLong("leased") });
	}

	private static DataSource database() {
		DataSource dataSource = new DriverManagerDataSource(
				"jdbc:h2:mem:" + LedgerSliceTests.class.getSimpleName() + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource);
		return dataSource;
	}

}
