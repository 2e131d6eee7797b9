package dev.metering.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger in the database keeps the contract's sequential semantics, although it admits
 * calls from slices held in memory.
 */
class JdbcUsageLedgerTests {

	private static final BillingPeriod PERIOD = new BillingPeriod(Instant.parse("2026-01-01T00:00:00Z"),
			Instant.parse("2026-02-01T00:00:00Z"));

	private final DataSource dataSource = database();

	@Test
	void aCallAfterTheLimitIsRefusedThoughTheSliceHasQuotaLeft() throws Exception {
		try (JdbcUsageLedger ledger = ledger()) {
			settle(ledger, 1000, 30);
			settle(ledger, 1000, 30);

			// the last slice was 1,000 tokens, of which 30 were used: the limit still decides
			assertThat(ledger.tryReserve("org", "tokens", PERIOD, 50, 1, Duration.ZERO))
				.isEqualTo(new Admission.Refused(60, 50, PERIOD));
			assertThat(ledger.used("org", "tokens", PERIOD)).isEqualTo(60);
		}
	}

	@Test
	void aCheckOfNoSizeOnAnotherInstanceSeesUsageWrittenBack() throws Exception {
		try (JdbcUsageLedger first = ledger()) {
			first.add("org", "tokens", PERIOD, 50, 60);
		}
		try (JdbcUsageLedger second = ledger()) {
			assertThat(second.tryReserve("org", "tokens", PERIOD, 50, 0, Duration.ZERO))
				.isEqualTo(new Admission.Refused(60, 50, PERIOD));
			assertThat(second.tryReserve("org", "tokens", PERIOD, 100, 0, Duration.ZERO))
				.isInstanceOf(Admission.Reservation.class);
		}
	}

	private static void settle(UsageLedger ledger, long reserve, long use) {
		Admission admission = ledger.tryReserve("org", "tokens", PERIOD, 50, reserve, Duration.ZERO);
		assertThat(admission).isInstanceOf(Admission.Reservation.class);
		ledger.settle((Admission.Reservation) admission, use);
	}

	private JdbcUsageLedger ledger() {
		return new JdbcUsageLedger(this.dataSource,
				new UsageThresholds(List.of(), new InMemoryThresholdClaims(), (event) -> {
				}), Duration.ofHours(1));
	}

	private static DataSource database() {
		DataSource dataSource = new DriverManagerDataSource(
				"jdbc:h2:mem:" + JdbcUsageLedgerTests.class.getSimpleName() + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource);
		return dataSource;
	}

}
