package dev.metering.limits;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Billing periods that are calendar months in UTC, for customers with no subscription period.
 */
public final class CalendarMonthPeriods implements BillingPeriods {

	private final Clock clock;

	public CalendarMonthPeriods(Clock clock) {
		this.clock = clock;
	}

	@Override
	public BillingPeriod current(String customerId) {
		LocalDate first = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC).withDayOfMonth(1);
		return new BillingPeriod(first.atStartOfDay(ZoneOffset.UTC).toInstant(),
				first.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());
	}

}
