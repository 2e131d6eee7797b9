package dev.metering.limits;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The calendar month is worked out once and handed out until the clock leaves it, either
 * way.
 */
class CalendarMonthPeriodsTests {

	private static final Instant DECEMBER = Instant.parse("2026-12-01T00:00:00Z");

	private static final Instant JANUARY = Instant.parse("2027-01-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(DECEMBER);

	private final CalendarMonthPeriods periods = new CalendarMonthPeriods(this.clock);

	@Test
	void theMonthHoldingNowFromItsFirstInstantToTheNextMonthsFirst() {
		BillingPeriod first = this.periods.current("cus_a");
		this.clock.set(JANUARY.minusMillis(1));
		assertThat(this.periods.current("cus_b")).isSameAs(first).isEqualTo(new BillingPeriod(DECEMBER, JANUARY));
	}

	@Test
	void theNextMonthOnceTheClockReachesIt() {
		this.periods.current("cus_a");
		this.clock.set(JANUARY);
		assertThat(this.periods.current("cus_a"))
			.isEqualTo(new BillingPeriod(JANUARY, Instant.parse("2027-02-01T00:00:00Z")));
	}

	@Test
	void anEarlierMonthWhenTheClockIsSetBack() {
		this.periods.current("cus_a");
		this.clock.set(DECEMBER.minus(Duration.ofDays(1)));
		assertThat(this.periods.current("cus_a"))
			.isEqualTo(new BillingPeriod(Instant.parse("2026-11-01T00:00:00Z"), DECEMBER));
	}

}
