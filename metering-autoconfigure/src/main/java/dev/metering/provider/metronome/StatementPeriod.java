package dev.metering.provider.metronome;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The usage statement period of a Metronome contract that holds a given instant:
 * statements follow the contract's cadence ({@code WEEKLY}, {@code MONTHLY},
 * {@code QUARTERLY} or {@code ANNUAL}) from its billing anchor date, in UTC; a
 * month-based cadence keeps the anchor's day, or the last day of a shorter month.
 *
 * @param start start of the period, inclusive
 * @param end end of the period, exclusive
 */
record StatementPeriod(Instant start, Instant end) {

	/**
	 * The period that holds {@code now}.
	 * @param anchor the contract's billing anchor date
	 * @param frequency Metronome's name of the cadence; monthly when it names none it
	 * knows
	 */
	static StatementPeriod holding(Instant anchor, String frequency, Instant now) {
		ZonedDateTime from = anchor.atZone(ZoneOffset.UTC);
		ZonedDateTime at = now.atZone(ZoneOffset.UTC);
		String cadence = (frequency != null) ? frequency.toUpperCase(Locale.ROOT) : "";
		if ("WEEKLY".equals(cadence)) {
			long weeks = Math.floorDiv(ChronoUnit.SECONDS.between(from, at),
					ChronoUnit.WEEKS.getDuration().toSeconds());
			return new StatementPeriod(from.plusWeeks(weeks).toInstant(), from.plusWeeks(weeks + 1).toInstant());
		}
		int step = switch (cadence) {
			case "QUARTERLY" -> 3;
			case "ANNUAL" -> 12;
			default -> 1;
		};
		long cycles = Math.floorDiv(
				ChronoUnit.MONTHS.between(from.withDayOfMonth(1).toLocalDate(), at.withDayOfMonth(1).toLocalDate()),
				step);
		// the cycle that starts in now's month may start after now
		while (from.plusMonths(cycles * step).isAfter(at)) {
			cycles--;
		}
		while (!from.plusMonths((cycles + 1) * step).isAfter(at)) {
			cycles++;
		}
		return new StatementPeriod(from.plusMonths(cycles * step).toInstant(),
				from.plusMonths((cycles + 1) * step).toInstant());
	}

}
