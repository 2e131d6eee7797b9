package dev.metering.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import dev.metering.Balance;
import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.CreditGrant;
import dev.metering.MeterUsageSummary;
import dev.metering.UsageStatus;

/**
 * What the dashboard page shows: for the logged-in user's organization, one card per
 * limited meter with its usage this period and its usage per day, and its balance on each
 * prepaid meter with the grants it draws on. Everything comes from the public
 * {@link BillingClient}.
 */
@RestController
class DashboardController {

	private static final Duration DAY = Duration.ofDays(1);

	private final LoggedInUserOrganization organization;

	private final BillingClient billing;

	private final DashboardMeters meters;

	private final Clock clock;

	DashboardController(LoggedInUserOrganization organization, BillingClient billing, DashboardMeters meters,
			Clock clock) {
		this.organization = organization;
		this.billing = billing;
		this.meters = meters;
		this.clock = clock;
	}

	/**
	 * The dashboard of the logged-in user's organization. Reading the CSRF token makes
	 * Spring Security send it in the {@code XSRF-TOKEN} cookie, which the page echoes in
	 * its writes. An operator may top the balances up, through the metering endpoint.
	 */
	@GetMapping("/api/dashboard")
	Dashboard dashboard(Authentication user, CsrfToken csrf) {
		csrf.getToken();
		BillingSubject subject = this.organization.resolve()
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.FORBIDDEN, "You belong to no organization"));
		String customerId = this.billing.getCustomerId(subject)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.PAYMENT_REQUIRED,
					"Your organization has no billing account"));
		List<Card> cards = this.billing.getUsageStatuses(subject.referenceId())
			.stream()
			.map((status) -> card(status, customerId))
			.toList();
		List<Prepaid> balances = this.meters.meters()
			.entrySet()
			.stream()
			.filter((meter) -> meter.getValue().prepaid())
			.map((meter) -> new Prepaid(meter.getKey(), meter.getValue().displayNameOr(meter.getKey()),
					this.billing.getBalance(subject.referenceId(), meter.getKey()),
					this.billing.getGrants(subject.referenceId(), meter.getKey())))
			.toList();
		boolean operator = user.getAuthorities()
			.stream()
			.anyMatch((authority) -> ("ROLE_" + SecurityConfiguration.OPERATOR).equals(authority.getAuthority()));
		return new Dashboard(user.getName(), subject.referenceId(), operator, cards, balances);
	}

	private Card card(UsageStatus status, String customerId) {
		Map.Entry<String, DashboardMeters.Meter> meter = this.meters.meters()
			.entrySet()
			.stream()
			.filter((entry) -> status.limitKey().equals(entry.getValue().limitKey()))
			.findFirst()
			.orElse(null);
		String key = (meter != null) ? meter.getKey() : status.limitKey();
		String displayName = (meter != null) ? meter.getValue().displayNameOr(key) : key;
		String meterId = (meter != null && meter.getValue().meterId() != null) ? meter.getValue().meterId() : key;
		return new Card(key, displayName, status.plan(), status.used(), status.limit(), status.remaining(),
				status.periodStart(), status.periodEnd(), status.level(), daily(meterId, customerId, status));
	}

	/**
	 * Usage per UTC day from the day the period starts to today. A provider that answers
	 * only all-time usage for this customer (Polar without a subscription) has no days to
	 * chart.
	 */
	private Daily daily(String meterId, String customerId, UsageStatus status) {
		List<MeterUsageSummary> period = this.billing.getUsage(meterId, customerId);
		if (period.stream().anyMatch((summary) -> summary.startTime() == null)) {
			return Daily.unavailable("Your provider reports all-time usage only, so there is no usage per day.");
		}
		Instant start = status.periodStart().truncatedTo(ChronoUnit.DAYS);
		Instant now = this.clock.instant();
		Instant until = (status.periodEnd().isBefore(now)) ? status.periodEnd() : now;
		Instant end = until.truncatedTo(ChronoUnit.DAYS).plus(DAY);
		try {
			List<Day> days = this.billing.getUsage(meterId, customerId, start, end, DAY)
				.stream()
				.map((summary) -> new Day(LocalDate.ofInstant(summary.startTime(), ZoneOffset.UTC),
						summary.aggregatedValue()))
				.toList();
			return new Daily(true, null, days);
		}
		catch (UnsupportedOperationException ex) {
			return Daily.unavailable(ex.getMessage());
		}
	}

	/**
	 * The logged-in user, whether they may top balances up, their organization, its cards
	 * and its balances.
	 */
	record Dashboard(String user, String organization, boolean operator, List<Card> meters, List<Prepaid> balances) {
	}

	/**
	 * The balance on one prepaid meter and its active and future grants, in burn order.
	 */
	record Prepaid(String key, String displayName, Balance balance, List<CreditGrant> grants) {
	}

	/**
	 * One limited meter; {@code limit} and {@code remaining} are {@code null} when
	 * unlimited.
	 */
	record Card(String key, String displayName, String plan, long used, @Nullable Long limit, @Nullable Long remaining,
			Instant periodStart, Instant periodEnd, UsageStatus.Level level, Daily daily) {
	}

	/** Usage per day this period, or why there is none ({@code message}). */
	record Daily(boolean available, @Nullable String message, List<Day> days) {

		static Daily unavailable(@Nullable String message) {
			return new Daily(false, message, List.of());
		}

	}

	record Day(LocalDate day, long used) {
	}

}
