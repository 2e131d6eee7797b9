package dev.metering;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.metering.UsageStatus.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The levels of {@link UsageStatus}, exactly at the thresholds usage dashboards use.
 */
class UsageStatusTests {

	@Test
	void levelsChangeExactlyAtSeventyFiveNinetyAndOneHundredPercent() {
		assertThat(Level.of(74, 100L)).isEqualTo(Level.OK);
		assertThat(Level.of(75, 100L)).isEqualTo(Level.APPROACHING);
		assertThat(Level.of(89, 100L)).isEqualTo(Level.APPROACHING);
		assertThat(Level.of(90, 100L)).isEqualTo(Level.CRITICAL);
		assertThat(Level.of(99, 100L)).isEqualTo(Level.CRITICAL);
		assertThat(Level.of(100, 100L)).isEqualTo(Level.EXCEEDED);
		assertThat(Level.of(150, 100L)).isEqualTo(Level.EXCEEDED);
		assertThat(Level.of(5, null)).isEqualTo(Level.UNLIMITED);
		assertThat(Level.of(0, 0L)).isEqualTo(Level.EXCEEDED);
	}

	@Test
	void thresholdsOfLimitsThatAreNoMultipleOfAHundredRoundTowardsTheLimit() {
		// 75 % of 15 is 11.25 and 90 % is 13.5: 11 is below the first, 13 below the
		// second
		assertThat(Level.of(11, 15L)).isEqualTo(Level.OK);
		assertThat(Level.of(12, 15L)).isEqualTo(Level.APPROACHING);
		assertThat(Level.of(13, 15L)).isEqualTo(Level.APPROACHING);
		assertThat(Level.of(14, 15L)).isEqualTo(Level.CRITICAL);
	}

	@Test
	void hugeLimitsDoNotOverflow() {
		assertThat(Level.of(Long.MAX_VALUE - 1, Long.MAX_VALUE)).isEqualTo(Level.CRITICAL);
		assertThat(Level.of(Long.MAX_VALUE / 2, Long.MAX_VALUE)).isEqualTo(Level.OK);
	}

	@Test
	void remainingIsNeverNegativeAndNullWhenUnlimited() {
		Instant start = Instant.parse("2026-11-01T00:00:00Z");
		Instant end = Instant.parse("2026-12-01T00:00:00Z");
		assertThat(UsageStatus.of("free", "aiTokens", 120, 100L, start, end).remaining()).isZero();
		assertThat(UsageStatus.of("free", "aiTokens", 30, 100L, start, end).remaining()).isEqualTo(70);
		assertThat(UsageStatus.of("pro", "aiTokens", 30, null, start, end).remaining()).isNull();
	}

}
