package dev.metering.provider.metronome;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage statement period of a contract that holds an instant.
 */
class StatementPeriodTests {

	@Test
	void aMonthlyCadenceKeepsTheAnchorsDayAndTimeOfDay() {
		assertThat(StatementPeriod.holding(Instant.parse("2025-03-15T08:00:00Z"), "MONTHLY",
				Instant.parse("2026-02-20T00:00:00Z")))
			.isEqualTo(period("2026-02-15T08:00:00Z", "2026-03-15T08:00:00Z"));
		assertThat(StatementPeriod.holding(Instant.parse("2025-03-15T08:00:00Z"), "MONTHLY",
				Instant.parse("2026-02-15T07:59:59Z")))
			.as("just before the anchor's time in now's month")
			.isEqualTo(period("2026-01-15T08:00:00Z", "2026-02-15T08:00:00Z"));
	}

	@Test
	void anAnchorOnThe31stEndsOnTheLastDayOfShorterMonths() {
		assertThat(StatementPeriod.holding(Instant.parse("2026-01-31T00:00:00Z"), "MONTHLY",
				Instant.parse("2026-03-10T00:00:00Z")))
			.isEqualTo(period("2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z"));
	}

	@Test
	void quarterlyAnnualAndWeeklyCadences() {
		Instant anchor = Instant.parse("2025-01-01T00:00:00Z");
		Instant now = Instant.parse("2026-05-20T12:00:00Z");
		assertThat(StatementPeriod.holding(anchor, "QUARTERLY", now))
			.isEqualTo(period("2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z"));
		assertThat(StatementPeriod.holding(anchor, "annual", now))
			.isEqualTo(period("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"));
		// 2025-01-01 is a Wednesday: so is every statement's start
		assertThat(StatementPeriod.holding(anchor, "WEEKLY", now))
			.isEqualTo(period("2026-05-20T00:00:00Z", "2026-05-27T00:00:00Z"));
	}

	@Test
	void anAnchorAheadOfNowCountsBack() {
		assertThat(StatementPeriod.holding(Instant.parse("2026-06-10T00:00:00Z"), "MONTHLY",
				Instant.parse("2026-05-20T00:00:00Z")))
			.isEqualTo(period("2026-05-10T00:00:00Z", "2026-06-10T00:00:00Z"));
	}

	private static StatementPeriod period(String start, String end) {
		return new StatementPeriod(Instant.parse(start), Instant.parse(end));
	}

}
