package dev.metering.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The ledger in the database keeps the contract's sequential semantics, although it
 * admits calls from slices held in memory.
 */
@ExtendWith(OutputCaptureExtension.class)
class JdbcUsageLedgerTests {

	private static final BillingPeriod PERIOD = new BillingPeriod(Instant.parse("2026-01-01T00:00:00Z"),
			Instant.parse("2026-02-01T00:00:00Z"));

	/** A period around now: a reclaim's record is kept until its period ends. */
	private static final BillingPeriod CURRENT = new BillingPeriod(Instant.now().minus(Duration.ofDays(1)),
			Instant.now().plus(Duration.ofDays(30)));

	private final DataSource dataSource = database();

	@Test
	void aCallAfterTheLimitIsRefusedThoughTheSliceHasQuotaLeft() throws Exception {
		try (JdbcUsageLedger ledger = ledger()) {
			settle(ledger, 1000, 30);
			settle(ledger, 1000, 30);

			// the last slice was 1,000 tokens, of which 30 were used: the limit still
			// decides
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

	@Test
	void usageSetByHandDecidesTheNextCallOnEveryInstance() throws Exception {
		try (JdbcUsageLedger first = ledger(); JdbcUsageLedger second = ledger()) {
			// a slice with quota left over, which must not admit calls past the usage set
			settle(first, 40, 10);
			first.setUsed("org", "tokens", PERIOD, 50);

			assertThat(first.tryReserve("org", "tokens", PERIOD, 50, 1, Duration.ZERO))
				.isEqualTo(new Admission.Refused(50, 50, PERIOD));
			assertThat(second.used("org", "tokens", PERIOD)).isEqualTo(50);

			second.setUsed("org", "tokens", PERIOD, 0);
			assertThat(first.used("org", "tokens", PERIOD)).isZero();
			settle(first, 40, 45);
			// a call that used more than it reserved is written back at once, on the
			// ledger's thread
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(second.used("org", "tokens", PERIOD)).isEqualTo(45));
		}
	}

	@Test
	void aCallWithinTheLimitGetsWhatIsLeftDownToItsMinimumAcrossInstances() throws Exception {
		try (JdbcUsageLedger first = ledger(); JdbcUsageLedger second = ledger()) {
			first.add("org", "tokens", PERIOD, 100, 70);

			Admission capped = first.tryReserveWithin("org", "tokens", PERIOD, 100, 50, 10, Duration.ZERO);
			assertThat(capped).isEqualTo(new Admission.Reservation("org", "tokens", PERIOD, 30));
			assertThat(second.tryReserveWithin("org", "tokens", PERIOD, 100, 50, 10, Duration.ZERO))
				.as("the rest is leased by the first")
				.isInstanceOf(Admission.Refused.class);

			first.settle((Admission.Reservation) capped, 25);
			assertThat(first.tryReserveWithin("org", "tokens", PERIOD, 100, 50, 10, Duration.ZERO))
				.as("5 left is below the minimum")
				.isEqualTo(new Admission.Refused(95, 100, PERIOD));
		}
	}

	@Test
	void aLowerLimitDecidesTheNextCallsThoughTheSliceWasLeasedUnderAHigherOne() throws Exception {
		try (JdbcUsageLedger ledger = ledger()) {
			// a slice of a sixteenth of a million, of which a call used nothing
			settle(ledger, "org", 1000, 0);

			// the plan went down to 500: used plus reserved decides on it, not the slice
			// held
			assertThat(ledger.tryReserve("org", "tokens", PERIOD, 500, 400, Duration.ZERO))
				.isInstanceOf(Admission.Reservation.class);
			assertThat(ledger.tryReserve("org", "tokens", PERIOD, 500, 400, Duration.ZERO))
				.isInstanceOf(Admission.Reservation.class);
			assertThat(ledger.tryReserve("org", "tokens", PERIOD, 500, 400, Duration.ZERO)).as("800 reserved")
				.isEqualTo(new Admission.Refused(0, 500, PERIOD));
		}
	}

	@Test
	void usageSetOnAKeyNeverUsedMakesItsRow() throws Exception {
		try (JdbcUsageLedger ledger = ledger()) {
			ledger.setUsed("org_new", "tokens", PERIOD, 70);

			assertThat(ledger.tryReserve("org_new", "tokens", PERIOD, 50, 1, Duration.ZERO))
				.isEqualTo(new Admission.Refused(70, 50, PERIOD));
		}
		try (JdbcUsageLedger restarted = ledger()) {
			assertThat(restarted.used("org_new", "tokens", PERIOD)).isEqualTo(70);
		}
	}

	@Test
	void negativeUsageIsRefusedAndChangesNothing() throws Exception {
		try (JdbcUsageLedger ledger = ledger()) {
			ledger.add("org", "tokens", PERIOD, 50, 20);

			assertThatIllegalArgumentException().isThrownBy(() -> ledger.setUsed("org", "tokens", PERIOD, -1))
				.withMessage("used must not be negative, was -1");
			assertThat(ledger.used("org", "tokens", PERIOD)).isEqualTo(20);
		}
	}

	@Test
	void oneFlushWritesBackTheUsageOfEveryOrganizationForTheOtherInstances() throws Exception {
		try (JdbcUsageLedger first = ledger(Duration.ofMillis(20)); JdbcUsageLedger second = ledger()) {
			// more organizations than one flush writes in one transaction
			for (int i = 0; i < 150; i++) {
				settle(first, "org_" + i, 100, 10 + i);
			}
			// usage added without a reservation: the key has no row until a flush makes
			// it
			first.add("org_new", "tokens", PERIOD, 50, 7);

			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				for (int i = 0; i < 150; i++) {
					assertThat(second.used("org_" + i, "tokens", PERIOD)).as("org_" + i).isEqualTo(10 + i);
				}
				assertThat(second.used("org_new", "tokens", PERIOD)).isEqualTo(7);
			});
			// the slices renewed by the flush still admit calls, and count them once
			settle(first, "org_0", 100, 5);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(second.used("org_0", "tokens", PERIOD)).isEqualTo(15));
		}
	}

	@Test
	void usageAFlushCouldNotWriteIsWrittenOnceByALaterOne(CapturedOutput output) throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);
		try (JdbcUsageLedger first = ledger(Duration.ofMillis(20)); JdbcUsageLedger second = ledger()) {
			settle(first, "org_a", 100, 30);
			settle(first, "org_b", 100, 40);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(second.used("org_b", "tokens", PERIOD)).isEqualTo(40));

			jdbc.execute("ALTER TABLE metering_usage_ledger RENAME TO metering_usage_ledger_away");
			try {
				// counted in memory, without the table
				first.add("org_a", "tokens", PERIOD, 1_000_000, 5);
				first.add("org_b", "tokens", PERIOD, 1_000_000, 6);
				// until a flush has failed on them
				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(output).contains("Could not write the usage of"));
			}
			finally {
				jdbc.execute("ALTER TABLE metering_usage_ledger_away RENAME TO metering_usage_ledger");
			}

			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(second.used("org_a", "tokens", PERIOD)).isEqualTo(35);
				assertThat(second.used("org_b", "tokens", PERIOD)).isEqualTo(46);
			});
		}
		// the quota the failed flushes took out of the slices went back into them, and
		// from
		// them to the table at close: none stays leased
		assertThat(
				jdbc.queryForList("SELECT reference_id, used, leased FROM metering_usage_ledger ORDER BY reference_id"))
			.containsExactly(Map.of("REFERENCE_ID", "org_a", "USED", 35L, "LEASED", 0L),
					Map.of("REFERENCE_ID", "org_b", "USED", 46L, "LEASED", 0L));
	}

	@Test
	void closingGivesTheWholeSliceBackAlsoOfAnOrganizationStillCalling() throws Exception {
		try (JdbcUsageLedger ledger = ledger()) {
			for (int i = 0; i < 5; i++) {
				settle(ledger, "org_busy", 100, 10);
			}
		}
		// a slice kept or renewed at close would count against the limit until the period
		// ends
		assertThat(new JdbcTemplate(this.dataSource)
			.queryForMap("SELECT used, leased FROM metering_usage_ledger " + "WHERE reference_id = 'org_busy'"))
			.isEqualTo(Map.of("USED", 50L, "LEASED", 0L));
	}

	@Test
	void theSliceOfAnInstanceThatStoppedComesBackWithTheUsageItHadNotWrittenBack() throws Exception {
		RecordedEvents outbox = new RecordedEvents();
		// renews its lease once, when it starts, and never writes back: as if killed
		// after its calls
		JdbcUsageLedger stopped = ledger("stopped", Duration.ofHours(1), outbox);
		try (JdbcUsageLedger other = ledger("other", Duration.ofMillis(20), outbox)) {
			outbox.settle(stopped, "stopped", 100, 30);
			outbox.settle(stopped, "stopped", 100, 40);
			assertThat(row("org")).as("its slice is leased, its usage not written back")
				.containsExactly(0L, 1_000_000L / 16);

			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(row("org")).as("reclaimed").containsExactly(70L, 0L));
			assertThat(other.tryReserve("org", "tokens", CURRENT, 1_000, 930, Duration.ZERO))
				.as("the whole limit but what was used is there to lease")
				.isEqualTo(new Admission.Reservation("org", "tokens", CURRENT, 930));
		}
		finally {
			stopped.close();
		}
	}

	@Test
	void anInstanceWhoseFlushStalledPastItsLeaseTakesTheReclaimInAndCountsNothingTwice() throws Exception {
		RecordedEvents outbox = new RecordedEvents();
		try (JdbcUsageLedger stalled = ledger("stalled", Duration.ofHours(1), outbox);
				JdbcUsageLedger other = ledger("other", Duration.ofMillis(20), outbox)) {
			outbox.settle(stalled, "stalled", 100, 30);
			outbox.settle(stalled, "stalled", 100, 40);
			// usage settled but not recorded yet, as the outbox's group commit may hold
			// it
			RecordedEvents.settle(stalled, 100, 15);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(row("org")).as("reclaimed").containsExactly(70L, 0L));

			// the stalled instance's lease lapsed: its next call finds its hold reclaimed
			outbox.settle(stalled, "stalled", 100, 5);
		}
		// the 70 recovered by the reclaim once, the 15 it could not recover and the 5
		// after it
		// written back by the instance itself, and nothing left leased
		assertThat(row("org")).containsExactly(90L, 0L);
	}

	@Test
	void aLiveInstanceKeepsWhatItHoldsWhileItRenewsItsLease() throws Exception {
		RecordedEvents outbox = new RecordedEvents();
		try (JdbcUsageLedger live = ledger("live", Duration.ofMillis(20), outbox);
				JdbcUsageLedger other = ledger("other", Duration.ofMillis(20), outbox)) {
			// a long call: its reservation stays held, and its hold unwritten, for two
			// leases
			Admission.Reservation call = (Admission.Reservation) live.tryReserve("org", "tokens", CURRENT, 1_000, 100,
					Duration.ZERO);
			await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(row("org")).as("still leased").containsExactly(0L, 100L);
				assertThat(new JdbcTemplate(this.dataSource)
					.queryForList("SELECT holder FROM metering_ledger_hold WHERE recovered IS NOT NULL", String.class))
					.as("holds reclaimed")
					.isEmpty();
			});

			live.settle(call, 60);
		}
		assertThat(row("org")).containsExactly(60L, 0L);
	}

	private static void settle(UsageLedger ledger, String organization, long reserve, long use) {
		Admission admission = ledger.tryReserve(organization, "tokens", PERIOD, 1_000_000, reserve, Duration.ZERO);
		assertThat(admission).isInstanceOf(Admission.Reservation.class);
		ledger.settle((Admission.Reservation) admission, use);
	}

	private static void settle(UsageLedger ledger, long reserve, long use) {
		Admission admission = ledger.tryReserve("org", "tokens", PERIOD, 50, reserve, Duration.ZERO);
		assertThat(admission).isInstanceOf(Admission.Reservation.class);
		ledger.settle((Admission.Reservation) admission, use);
	}

	private JdbcUsageLedger ledger() {
		return ledger(Duration.ofHours(1));
	}

	/** A ledger with a lease of a second that recovers usage from {@code outbox}. */
	private JdbcUsageLedger ledger(String holder, Duration flushInterval, RecordedEvents outbox) {
		return new JdbcUsageLedger(StoreJdbc.batches(this.dataSource), StoreJdbc.transactions(this.dataSource),
				new UsageThresholds(List.of(), List.of(), new InMemoryThresholdClaims(), (event) -> {
				}), flushInterval, new LedgerHolding(holder, Duration.ofSeconds(1), StoreFailurePolicy.ALLOW, outbox),
				Clock.systemUTC());
	}

	/** The used and leased of an organization's row. */
	private long[] row(String organization) {
		return new JdbcTemplate(this.dataSource).queryForObject(
				"SELECT used, leased FROM metering_usage_ledger WHERE reference_id = ?",
				(rs, i) -> new long[] { rs.getLong("used"), rs.getLong("leased") }, organization);
	}

	private JdbcUsageLedger ledger(Duration flushInterval) {
		return new JdbcUsageLedger(StoreJdbc.batches(this.dataSource), StoreJdbc.transactions(this.dataSource),
				new UsageThresholds(List.of(), List.of(), new InMemoryThresholdClaims(), (event) -> {
				}), flushInterval);
	}

	private static DataSource database() {
		DataSource dataSource = new DriverManagerDataSource(
				"jdbc:h2:mem:" + JdbcUsageLedgerTests.class.getSimpleName() + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource);
		return dataSource;
	}

	/**
	 * Usage recorded by instances, as an outbox would store it: stamped after the ledger
	 * settled it.
	 */
	private static final class RecordedEvents implements RecordedUsage {

		private final List<Event> events = new CopyOnWriteArrayList<>();

		/** A call of org in the current period on a ledger, settled then recorded. */
		void settle(UsageLedger ledger, String holder, long reserve, long use) {
			settle(ledger, reserve, use);
			this.events.add(new Event(holder, System.currentTimeMillis(), use));
		}

		/** A call of org in the current period, settled. */
		static void settle(UsageLedger ledger, long reserve, long use) {
			Admission admission = ledger.tryReserve("org", "tokens", CURRENT, 1_000_000, reserve, Duration.ZERO);
			assertThat(admission).isInstanceOf(Admission.Reservation.class);
			ledger.settle((Admission.Reservation) admission, use);
		}

		@Override
		public long since(String holder, String referenceId, String limitKey, BillingPeriod period, Instant from) {
			return this.events.stream()
				.filter((event) -> event.holder().equals(holder) && event.stampedAt() >= from.toEpochMilli())
				.mapToLong(Event::value)
				.sum();
		}

		private record Event(String holder, long stampedAt, long value) {
		}

	}

}
