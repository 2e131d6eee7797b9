package dev.metering.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.metering.MeterUsageSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class UsageBucketsTests {

	private static final Instant DAY_1 = Instant.parse("2026-11-01T00:00:00Z");

	private static final Instant DAY_3 = Instant.parse("2026-11-03T00:00:00Z");

	@Test
	void bucketsWithoutAValueAreZero() {
		assertThat(UsageBuckets.summaries("mtr_1", "cus_1", DAY_1, DAY_3, UsageBuckets.DAY,
				Map.of(DAY_1.plus(UsageBuckets.DAY), 9L)))
			.containsExactly(new MeterUsageSummary("mtr_1", "cus_1", 0, DAY_1, DAY_1.plus(UsageBuckets.DAY)),
					new MeterUsageSummary("mtr_1", "cus_1", 9, DAY_1.plus(UsageBuckets.DAY), DAY_3));
	}

	@Test
	void rangesMustBeWholeBucketsOfAnHourOrADay() {
		assertThat(UsageBuckets.starts(DAY_1, DAY_1.plus(Duration.ofHours(3)), UsageBuckets.HOUR)).hasSize(3);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> UsageBuckets.starts(DAY_1.plusSeconds(1), DAY_3, UsageBuckets.DAY))
			.withMessageContaining("is not the start of a UTC day");
		assertThatIllegalArgumentException().isThrownBy(() -> UsageBuckets.starts(DAY_3, DAY_1, UsageBuckets.DAY))
			.withMessageContaining("must be before");
		assertThatIllegalArgumentException().isThrownBy(() -> UsageBuckets.starts(DAY_1, DAY_3, Duration.ofMinutes(30)))
			.withMessageContaining("one hour (PT1H) or one day (P1D)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> UsageBuckets.starts(DAY_1, DAY_1.plus(Duration.ofDays(1001)), UsageBuckets.DAY))
			.withMessageContaining("at most 1000 buckets");
	}

	@Test
	void aProviderThatCannotGroupUsageSaysSo() {
		MeterProvider provider = new MeterProvider() {

			@Override
			public String name() {
				return "ungrouped";
			}

			@Override
			public Optional<String> rejectCustomerId(String customerId) {
				return Optional.empty();
			}

			@Override
			public DeliveryOutcome deliver(UsageEvent event) {
				throw new UnsupportedOperationException();
			}

			@Override
			public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end) {
				return List.of();
			}

		};
		MeterDefinition meter = new MeterDefinition("ai-tokens", "ai_tokens", null, TokenKind.TOTAL, null,
				MeterAggregation.SUM, "value");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> provider.usage(meter, "cus_1", DAY_1, DAY_3, UsageBuckets.DAY))
			.withMessage("The ungrouped meter cannot answer usage per bucket; read usage over the whole range instead");
	}

}
