package dev.metering.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.metering.UsageThresholdReachedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Usage set by hand on the in-memory ledger: the next call is admitted on it, and
 * thresholds are published by usage, not by the value set.
 */
class InMemoryUsageLedgerTests {

	private static final BillingPeriod PERIOD = new BillingPeriod(Instant.parse("2026-01-01T00:00:00Z"),
			Instant.parse("2026-02-01T00:00:00Z"));

	private final List<Object> published = new CopyOnWriteArrayList<>();

	private final InMemoryUsageLedger ledger = new InMemoryUsageLedger(
			new UsageThresholds(List.of(50, 100), List.of(), new InMemoryThresholdClaims(), this.published::add));

	@Test
	void theNextCallIsAdmittedOnTheUsageSet() {
		this.ledger.add("org", "tokens", PERIOD, 100, 30);

		this.ledger.setUsed("org", "tokens", PERIOD, 100);
		assertThat(this.ledger.tryReserve("org", "tokens", PERIOD, 100, 1, Duration.ZERO))
			.isEqualTo(new Admission.Refused(100, 100, PERIOD));

		this.ledger.setUsed("org", "tokens", PERIOD, 99);
		assertThat(this.ledger.tryReserve("org", "tokens", PERIOD, 100, 1, Duration.ZERO))
			.isInstanceOf(Admission.Reservation.class);
		assertThat(this.ledger.used("org", "tokens", PERIOD)).isEqualTo(99);
	}

	@Test
	void aCallWithinTheLimitGetsWhatIsLeftDownToItsMinimum() {
		this.ledger.add("org", "tokens", PERIOD, 100, 70);

		Admission capped = this.ledger.tryReserveWithin("org", "tokens", PERIOD, 100, 50, 10, Duration.ZERO);
		assertThat(capped).isEqualTo(new Admission.Reservation("org", "tokens", PERIOD, 30));
		assertThat(this.ledger.tryReserveWithin("org", "tokens", PERIOD, 100, 50, 10, Duration.ZERO))
			.as("the rest is reserved")
			.isInstanceOf(Admission.Refused.class);

		this.ledger.settle((Admission.Reservation) capped, 25);
		assertThat(this.ledger.tryReserveWithin("org", "tokens", PERIOD, 100, 50, 10, Duration.ZERO))
			.as("5 left is below the minimum")
			.isEqualTo(new Admission.Refused(95, 100, PERIOD));
	}

	@Test
	void theValueSetPublishesNoThresholdTheNextUsageDoes() {
		this.ledger.setUsed("org", "tokens", PERIOD, 60);
		assertThat(this.published).isEmpty();

		this.ledger.add("org", "tokens", PERIOD, 100, 1);
		assertThat(this.published).singleElement().isInstanceOfSatisfying(UsageThresholdReachedEvent.class, (event) -> {
			assertThat(event.thresholdPercent()).isEqualTo(50);
			assertThat(event.used()).isEqualTo(61);
		});
	}

	@Test
	void negativeUsageIsRefusedAndChangesNothing() {
		this.ledger.add("org", "tokens", PERIOD, 100, 30);

		assertThatIllegalArgumentException().isThrownBy(() -> this.ledger.setUsed("org", "tokens", PERIOD, -5))
			.withMessage("used must not be negative, was -5");
		assertThat(this.ledger.used("org", "tokens", PERIOD)).isEqualTo(30);
	}

}
