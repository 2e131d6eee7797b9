package dev.metering.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.MeterProvider;

/**
 * The current period of the customer's active subscription at the provider, or else the
 * fallback's (a calendar month).
 * <p>
 * A cached subscription may name a period that has already ended: its refresh is due only
 * after the cache's refresh interval, and a refresh that fails keeps it. Such a period is
 * taken to have renewed on the same cycle, as subscriptions do: it is rolled forward by
 * whole months when it spans whole months (on the subscription's anchor day, or the last
 * day of a shorter month), else by its length, until it holds now. The next answer from
 * the provider replaces that assumption.
 */
final class SubscriptionPeriods implements BillingPeriods {

	private final MeterProvider provider;

	private final BillingPeriods fallback;

	private final Clock clock;

	/**
	 * @param provider tells the customer's active subscription
	 * @param fallback the period of a customer without one
	 * @param clock tells when a subscription's period has ended
	 */
	SubscriptionPeriods(MeterProvider provider, BillingPeriods fallback, Clock clock) {
		this.provider = provider;
		this.fallback = fallback;
		this.clock = clock;
	}

	/**
	 * {@inheritDoc}
	 * @throws RuntimeException what the provider threw when it could not tell the
	 * subscription and none was cached
	 */
	@Override
	public BillingPeriod current(@Nullable String customerId) {
		if (customerId == null) {
			return this.fallback.current(null);
		}
		return this.provider.activeSubscription(customerId)
			.map((subscription) -> holdingNow(subscription.periodStart(), subscription.periodEnd()))
			.orElseGet(() -> this.fallback.current(customerId));
	}

	private BillingPeriod holdingNow(Instant start, Instant end) {
		Instant now = this.clock.instant();
		if (now.isBefore(end) || !start.isBefore(end)) {
			return new BillingPeriod(start, end);
		}
		ZonedDateTime from = start.atZone(ZoneOffset.UTC);
		ZonedDateTime to = end.atZone(ZoneOffset.UTC);
		// a period from the 31st ends on the 28th in February: the later day is the
		// anchor
		int anchorDay = Math.max(from.getDayOfMonth(), to.getDayOfMonth());
		long months = ChronoUnit.MONTHS.between(YearMonth.from(from), YearMonth.from(to));
		if (months > 0 && onAnchorDay(from, 0, anchorDay).equals(from)
				&& onAnchorDay(from, months, anchorDay).equals(to)) {
			long elapsed = ChronoUnit.MONTHS.between(YearMonth.from(from), YearMonth.from(now.atZone(ZoneOffset.UTC)))
					/ months;
			if (onAnchorDay(from, elapsed * months, anchorDay).toInstant().isAfter(now)) {
				elapsed--;
			}
			return new BillingPeriod(onAnchorDay(from, elapsed * months, anchorDay).toInstant(),
					onAnchorDay(from, (elapsed + 1) * months, anchorDay).toInstant());
		}
		Duration length = Duration.between(start, end);
		long elapsed = Duration.between(start, now).dividedBy(length);
		return new BillingPeriod(start.plus(length.multipliedBy(elapsed)),
				start.plus(length.multipliedBy(elapsed + 1)));
	}

	/**
	 * The anchor day (or the month's last, when it is shorter) {@code months} after
	 * {@code from}'s month.
	 */
	private static ZonedDateTime onAnchorDay(ZonedDateTime from, long months, int anchorDay) {
		ZonedDateTime month = from.withDayOfMonth(1).plusMonths(months);
		return month.withDayOfMonth(Math.min(anchorDay, month.toLocalDate().lengthOfMonth()));
	}

}
