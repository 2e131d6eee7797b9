package dev.metering.provider.polar;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Ranges as Polar's meter quantities sum them: whole buckets of the finest interval Polar
 * allows for the range's length.
 */
class QuantityRangeTests {

	@Test
	void aRangeOfHoursIsWidenedToWholeHours() {
		QuantityRange range = QuantityRange.covering(Instant.parse("2026-03-01T10:15:00Z"),
				Instant.parse("2026-03-01T12:30:00Z"));

		assertThat(range).isEqualTo(new QuantityRange(Instant.parse("2026-03-01T10:00:00Z"),
				Instant.parse("2026-03-01T13:00:00Z"), "hour", Instant.parse("2026-03-01T12:00:00Z")));
	}

	@Test
	void aBillingMonthIsReadInDays() {
		QuantityRange range = QuantityRange.covering(Instant.parse("2026-02-03T13:37:00Z"),
				Instant.parse("2026-03-03T13:37:00Z"));

		assertThat(range).isEqualTo(new QuantityRange(Instant.parse("2026-02-03T00:00:00Z"),
				Instant.parse("2026-03-04T00:00:00Z"), "day", Instant.parse("2026-03-03T00:00:00Z")));
	}

	@Test
	void yearsAreReadInMonthsAndNeverBeforePolarExisted() {
		QuantityRange range = QuantityRange.covering(Instant.parse("2020-01-01T00:00:00Z"),
				Instant.parse("2025-06-15T00:00:00Z"));

		assertThat(range).isEqualTo(new QuantityRange(QuantityRange.POLAR_EPOCH, Instant.parse("2025-07-01T00:00:00Z"),
				"month", Instant.parse("2025-06-01T00:00:00Z")));
	}

	@Test
	void moreThanTenYearsIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> QuantityRange.covering(Instant.parse("2023-01-01T00:00:00Z"),
					Instant.parse("2034-01-01T00:00:00Z")))
			.withMessageContaining("at most 3650 days");
	}

}
