package dev.metering.provider.local;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.metering.MeterUsageSummary;
import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.TokenKind;
import dev.metering.provider.UsageEvent;

import static org.assertj.core.api.Assertions.assertThat;

class LocalMeterProviderTests {

	private static final MeterDefinition METER = new MeterDefinition("ai-tokens", "ai_tokens", "mtr_1", TokenKind.TOTAL,
			null, MeterAggregation.SUM, "value");

	private final LocalMeterProvider meter = new LocalMeterProvider(new InMemoryLocalMeterStore());

	@Test
	void anIdentifierIsCountedOnceHoweverOftenItIsDelivered() {
		UsageEvent event = new UsageEvent("usage_1", "ai_tokens", "cus_1", 10, Instant.parse("2026-11-02T10:15:30Z"));
		this.meter.deliver(event);
		this.meter.deliver(event);

		assertThat(this.meter.eventCount("ai_tokens", "cus_1")).isOne();
		assertThat(sum(null, null)).isEqualTo(10);
	}

	@Test
	void usageIsSummedOverTheMinutesOfTheRange() {
		deliver("usage_a", 1, "2026-11-02T10:00:59Z");
		deliver("usage_b", 2, "2026-11-02T10:01:00Z");
		deliver("usage_c", 4, "2026-11-02T10:02:10Z");
		deliver("usage_d", 8, "2026-11-02T10:03:00Z");

		assertThat(sum("2026-11-02T10:01:00Z", "2026-11-02T10:03:00Z")).isEqualTo(2 + 4);
		assertThat(sum("2026-11-02T10:01:30Z", "2026-11-02T10:03:00Z")).as("start's minute included").isEqualTo(2 + 4);
		assertThat(sum(null, "2026-11-02T10:01:00Z")).isEqualTo(1);
		assertThat(sum("2026-11-02T10:02:00Z", null)).isEqualTo(4 + 8);
		assertThat(this.meter.usage(METER, "cus_other", null, null).get(0).aggregatedValue()).isZero();
	}

	@Test
	void sumsStopAtTheLargestLongInsteadOfTurningNegative() {
		deliver("usage_a", Long.MAX_VALUE - 1, "2026-11-02T10:00:10Z");
		deliver("usage_b", 5, "2026-11-02T10:00:20Z");
		deliver("usage_c", Long.MAX_VALUE, "2026-11-02T10:01:00Z");

		assertThat(sum("2026-11-02T10:00:00Z", "2026-11-02T10:01:00Z")).as("within a minute").isEqualTo(Long.MAX_VALUE);
		assertThat(sum(null, null)).as("across minutes").isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void usagePerDayHasOneSummaryForEachDayWithZeroForDaysWithoutUsage() {
		deliver("usage_a", 5, "2026-11-01T23:59:59Z");
		deliver("usage_b", 7, "2026-11-03T00:00:00Z");
		deliver("usage_c", 1, "2026-11-03T12:30:00Z");

		List<MeterUsageSummary> days = this.meter.usage(METER, "cus_1", Instant.parse("2026-11-01T00:00:00Z"),
				Instant.parse("2026-11-04T00:00:00Z"), Duration.ofDays(1));

		assertThat(days).extracting(MeterUsageSummary::aggregatedValue).containsExactly(5L, 0L, 8L);
		assertThat(days).extracting(MeterUsageSummary::startTime)
			.containsExactly(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-02T00:00:00Z"),
					Instant.parse("2026-11-03T00:00:00Z"));
		assertThat(days.get(2).endTime()).isEqualTo(Instant.parse("2026-11-04T00:00:00Z"));
		assertThat(days).extracting(MeterUsageSummary::meterId).containsOnly("mtr_1");
	}

	@Test
	void usagePerHourSplitsADay() {
		deliver("usage_a", 3, "2026-11-01T10:59:00Z");
		deliver("usage_b", 4, "2026-11-01T11:00:00Z");

		assertThat(this.meter.usage(METER, "cus_1", Instant.parse("2026-11-01T10:00:00Z"),
				Instant.parse("2026-11-01T12:00:00Z"), Duration.ofHours(1)))
			.extracting(MeterUsageSummary::aggregatedValue)
			.containsExactly(3L, 4L);
	}

	private void deliver(String identifier, long value, String timestamp) {
		this.meter.deliver(new UsageEvent(identifier, "ai_tokens", "cus_1", value, Instant.parse(timestamp)));
	}

	private long sum(String start, String end) {
		return this.meter
			.usage(METER, "cus_1", (start != null) ? Instant.parse(start) : null,
					(end != null) ? Instant.parse(end) : null)
			.get(0)
			.aggregatedValue();
	}

}
