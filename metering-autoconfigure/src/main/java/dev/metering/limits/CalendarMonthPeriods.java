package dev.metering.limits;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.jspecify.annotations.Nullable;

/**
 * Billing periods that are calendar months in UTC, for customers with no subscription
 * period. The month is worked out once and handed out until it ends, since every call
 * without a subscription asks for it.
 */
final class CalendarMonthPeriods implements BillingPeriods {

	private final Clock clock;

	private volatile BillingPeriod month = new BillingPeriod(Instant.EPOCH, Instant.EPOCH);

	CalendarMonthPeriods(Clock clock) {
		this.clock = clock;
	}

	@Override
	public BillingPeriod current(@Nullable String customerId) {
		Instant now = this.clock.instant();
		BillingPeriod month = this.month;
		if (now.isBefore(month.start()) || !now.isBefore(month.end())) {
			month = monthOf(now);
			this.month = month;
		}
		return month;
	}

	private static BillingPeriod monthOf(Instant instant) {
		LocalDate first = LocalDate.ofInstant(instant, ZoneOffset.UTC).withDayOfMonth(1);
		return new BillingPeriod(first.atStartOfDay(ZoneOffset.UTC).toInstant(),
				first.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());
	}

}
