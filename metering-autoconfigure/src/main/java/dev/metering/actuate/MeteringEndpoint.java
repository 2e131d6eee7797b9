package dev.metering.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.metering.Balance;
import dev.metering.BillingClient;
import dev.metering.CreditGrant;
import dev.metering.admin.MeteringAdmin;
import dev.metering.outbox.DeadLetter;
import dev.metering.outbox.OutboxBacklog;
import dev.metering.reconcile.Reconciliation;
import dev.metering.reconcile.UsageReconciler;

/**
 * The {@code metering} endpoint: reading it tells what waits for delivery and lists the
 * dead letters, a page at a time, and, at {@code metering/<organization>}, that
 * organization's prepaid balances and grants; writing to it re-drives dead letters,
 * reconciles a window with the provider, and, at {@code metering/<organization>/grant} or
 * {@code /revoke}, grants or revokes credits. Like Actuator's own endpoints it is
 * reachable over HTTP only once the application exposes it
 * ({@code management.endpoints.web.exposure.include}).
 *
 * @since 0.1.0
 */
@Endpoint(id = "metering")
public class MeteringEndpoint {

	static final int DEFAULT_PAGE_SIZE = 20;

	static final int MAX_PAGE_SIZE = 500;

	private final MeteringAdmin admin;

	private final String provider;

	private final @Nullable UsageReconciler reconciler;

	private final BillingClient billing;

	private final List<String> prepaidMeters;

	private final Clock clock;

	/**
	 * @param provider the name of the provider usage is delivered to
	 * @param reconciler reconciles windows, {@code null} when the outbox cannot (the one
	 * in memory forgets what it delivered)
	 * @param billing where balances are read and grants made
	 * @param prepaidMeters the keys of the meters whose calls draw on balances
	 */
	public MeteringEndpoint(MeteringAdmin admin, String provider, @Nullable UsageReconciler reconciler,
			BillingClient billing, Collection<String> prepaidMeters, Clock clock) {
		this.admin = admin;
		this.provider = provider;
		this.reconciler = reconciler;
		this.billing = billing;
		this.prepaidMeters = prepaidMeters.stream().sorted().toList();
		this.clock = clock;
	}

	/**
	 * What waits, and one page of the dead letters, oldest first.
	 * @param page the page of dead letters, from 0
	 * @param size dead letters a page, 1 to 500 (20 when not given)
	 */
	@ReadOperation
	public MeteringDescriptor metering(@Nullable Integer page, @Nullable Integer size) {
		int pageNumber = (page != null) ? page : 0;
		int pageSize = (size != null) ? size : DEFAULT_PAGE_SIZE;
		if (pageNumber < 0 || pageSize < 1 || pageSize > MAX_PAGE_SIZE
				|| (long) pageNumber * pageSize > Integer.MAX_VALUE) {
			throw badRequest("page must be 0 or more and size 1 to " + MAX_PAGE_SIZE);
		}
		OutboxBacklog backlog = this.admin.backlog();
		List<DeadLetterDescriptor> deadLetters = this.admin.deadLetters(pageNumber * pageSize, pageSize)
			.stream()
			.map(DeadLetterDescriptor::new)
			.toList();
		Instant oldest = backlog.oldestPendingRecordedAt();
		Duration age = (oldest != null) ? Duration.between(oldest, this.clock.instant()) : Duration.ZERO;
		return new MeteringDescriptor(this.provider, backlog.pending(), backlog.pendingByEventName(), oldest,
				(age.isNegative() ? Duration.ZERO : age).truncatedTo(ChronoUnit.SECONDS).toString(),
				backlog.awaitingCustomer(), backlog.deadLetters(), backlog.deadLettersByEventName(),
				new DeadLetterPage(pageNumber, pageSize, deadLetters));
	}

	/**
	 * An organization's balance on each prepaid meter, with its active and future grants.
	 * @param organization the organization or user ID
	 */
	@ReadOperation
	public BalancesDescriptor balances(@Selector String organization) {
		if (this.prepaidMeters.isEmpty()) {
			throw badRequest("No meter draws on balances: set metering.meters.<key>.prepaid=true");
		}
		return new BalancesDescriptor(organization,
				this.prepaidMeters.stream()
					.map((meter) -> new BalanceDescriptor(this.billing.getBalance(organization, meter),
							this.billing.getGrants(organization, meter)))
					.toList());
	}

	/**
	 * Runs an action: {@code redrive} puts the dead letter {@code identifier} back in
	 * line, {@code redrive-all} every dead letter, and {@code reconcile} compares what
	 * was delivered from {@code start} to {@code end} (ISO-8601 instants on whole
	 * minutes; when both are left out, the last closed window) with the provider's
	 * totals.
	 */
	@WriteOperation
	public Object act(@Selector String action, @Nullable String identifier, @Nullable String start,
			@Nullable String end) {
		return switch (action) {
			case "redrive" -> redrive(identifier);
			case "redrive-all" -> new RedriveDescriptor(this.admin.redriveAll());
			case "reconcile" -> reconcile(start, end);
			default -> throw badRequest("Unknown action '" + action
					+ "'; the metering endpoint takes redrive (with an identifier), redrive-all and reconcile");
		};
	}

	/**
	 * Changes an organization's balance: {@code grant} grants it {@code amount} on the
	 * prepaid {@code meter} (from {@code effectiveAt}, now when left out, until
	 * {@code expiresAt}, never when left out, at {@code priority}, 0 when left out), and
	 * {@code revoke} ends its active grant {@code grant}.
	 * @param organization the organization or user ID
	 */
	@WriteOperation
	public Object changeBalance(@Selector String organization, @Selector String action, @Nullable String meter,
			@Nullable Long amount, @Nullable String effectiveAt, @Nullable String expiresAt, @Nullable Integer priority,
			@Nullable String grant) {
		return switch (action) {
			case "grant" -> grant(organization, meter, amount, effectiveAt, expiresAt, priority);
			case "revoke" -> revoke(organization, grant);
			default -> throw badRequest("Unknown action '" + action + "'; an organization's balance takes grant "
					+ "(with a meter and an amount) and revoke (with a grant)");
		};
	}

	private GrantDescriptor grant(String organization, @Nullable String meter, @Nullable Long amount,
			@Nullable String effectiveAt, @Nullable String expiresAt, @Nullable Integer priority) {
		if (meter == null || amount == null) {
			throw badRequest("grant needs a meter and an amount");
		}
		try {
			Instant effective = (effectiveAt != null) ? Instant.parse(effectiveAt) : this.clock.instant();
			Instant expires = (expiresAt != null) ? Instant.parse(expiresAt) : null;
			return new GrantDescriptor(this.billing.grantCredits(organization, meter, amount, effective, expires,
					(priority != null) ? priority : 0));
		}
		catch (DateTimeParseException | IllegalArgumentException ex) {
			throw badRequest(Objects.requireNonNullElse(ex.getMessage(), "Invalid grant"));
		}
	}

	/** Revokes a grant of the organization's, so that a mistyped identifier ends none. */
	private RevokeDescriptor revoke(String organization, @Nullable String grant) {
		if (grant == null || grant.isBlank()) {
			throw badRequest("revoke needs the identifier of a grant");
		}
		boolean owned = this.prepaidMeters.stream()
			.flatMap((meter) -> this.billing.getGrants(organization, meter).stream())
			.anyMatch((active) -> active.id().equals(grant));
		if (!owned) {
			throw badRequest("'" + organization + "' has no active grant '" + grant + "'");
		}
		this.billing.revokeGrant(grant);
		return new RevokeDescriptor(grant);
	}

	private RedriveDescriptor redrive(@Nullable String identifier) {
		if (identifier == null || identifier.isBlank()) {
			throw badRequest("redrive needs the identifier of a dead letter; redrive-all re-drives them all");
		}
		return new RedriveDescriptor(this.admin.redrive(identifier) ? 1 : 0);
	}

	private ReconciliationDescriptor reconcile(@Nullable String start, @Nullable String end) {
		if (this.reconciler == null) {
			throw badRequest("Reconciliation needs the outbox in the database, which remembers what it delivered; "
					+ "the outbox in memory forgets an event once it is delivered");
		}
		if ((start == null) != (end == null)) {
			throw badRequest("Give both start and end, or neither for the last closed window");
		}
		try {
			Reconciliation reconciliation = (start != null)
					? this.reconciler.reconcile(Instant.parse(start), Instant.parse(end))
					: this.reconciler.reconcileLastWindow();
			return new ReconciliationDescriptor(reconciliation);
		}
		catch (DateTimeParseException | IllegalArgumentException ex) {
			throw badRequest(Objects.requireNonNullElse(ex.getMessage(), "Invalid reconciliation window"));
		}
	}

	/** A 400 whose reason, which Spring Boot may show the client, is the message. */
	private static InvalidEndpointRequestException badRequest(String message) {
		return new InvalidEndpointRequestException(message, message);
	}

	/**
	 * What waits for delivery.
	 *
	 * @param provider the provider usage goes to
	 * @param pending events recorded and not yet delivered nor dead-lettered
	 * @param pendingByEventName pending events per event name
	 * @param oldestPendingRecordedAt when the oldest pending event was recorded, if any
	 * @param oldestPendingAge how long ago that was, ISO-8601
	 * @param awaitingCustomer pending events that wait for the provider to name their
	 * customer
	 * @param deadLetters events the provider refused for good
	 * @param deadLettersByEventName dead letters per event name
	 * @param deadLetterPage the page of dead letters asked for
	 */
	public record MeteringDescriptor(String provider, long pending, Map<String, Long> pendingByEventName,
			@Nullable Instant oldestPendingRecordedAt, String oldestPendingAge, long awaitingCustomer, long deadLetters,
			Map<String, Long> deadLettersByEventName, DeadLetterPage deadLetterPage) implements OperationResponseBody {
	}

	/**
	 * A page of dead letters, oldest first.
	 *
	 * @param page the page, from 0
	 * @param size the most a page holds
	 * @param items the dead letters on it
	 */
	public record DeadLetterPage(int page, int size, List<DeadLetterDescriptor> items) {
	}

	/**
	 * A dead letter: the event and why the provider refused it.
	 *
	 * @param identifier the idempotency identifier it keeps when re-driven
	 * @param eventName the event name
	 * @param customerId the customer billed
	 * @param value the value
	 * @param timestamp when the usage happened
	 * @param code the provider's code
	 * @param message the provider's message
	 * @param attempts how many times it was sent
	 * @param failedAt when it was refused for good
	 */
	public record DeadLetterDescriptor(String identifier, String eventName, @Nullable String customerId, long value,
			Instant timestamp, String code, @Nullable String message, int attempts, Instant failedAt) {

		DeadLetterDescriptor(DeadLetter dead) {
			this(dead.event().identifier(), dead.event().eventName(), dead.event().customerId(), dead.event().value(),
					dead.event().timestamp(), dead.code(), dead.message(), dead.attempts(), dead.failedAt());
		}

	}

	/**
	 * An organization's prepaid balances.
	 *
	 * @param organization the organization or user ID
	 * @param balances its balance on each prepaid meter, in meter key order
	 */
	public record BalancesDescriptor(String organization,
			List<BalanceDescriptor> balances) implements OperationResponseBody {
	}

	/**
	 * A balance on one meter and the grants that make it.
	 *
	 * @param balance where the balance stands
	 * @param grants the active and future grants, in the order usage draws on them
	 */
	public record BalanceDescriptor(Balance balance, List<CreditGrant> grants) {
	}

	/**
	 * A grant made.
	 *
	 * @param grant the grant, with its identifier
	 */
	public record GrantDescriptor(CreditGrant grant) implements OperationResponseBody {
	}

	/**
	 * A grant revoked: it ended now.
	 *
	 * @param grant the grant's identifier
	 */
	public record RevokeDescriptor(String grant) implements OperationResponseBody {
	}

	/**
	 * What a re-drive did.
	 *
	 * @param redriven how many dead letters were put back in line
	 */
	public record RedriveDescriptor(int redriven) implements OperationResponseBody {
	}

	/**
	 * What a reconciliation found.
	 *
	 * @param provider the provider compared with
	 * @param start the window's start
	 * @param end the window's end, exclusive
	 * @param meters the meters reconciled
	 * @param compared how many customer totals were compared
	 * @param drifts the customers whose total differs
	 * @param failures the customers whose total the provider could not answer
	 * @param skippedMeters meters not reconciled, with the reason
	 */
	public record ReconciliationDescriptor(String provider, Instant start, Instant end, List<String> meters,
			int compared, List<DriftDescriptor> drifts, List<Reconciliation.Failure> failures,
			Map<String, String> skippedMeters) implements OperationResponseBody {

		ReconciliationDescriptor(Reconciliation reconciliation) {
			this(reconciliation.provider(), reconciliation.start(), reconciliation.end(), reconciliation.meters(),
					reconciliation.compared(), reconciliation.drifts().stream().map(DriftDescriptor::new).toList(),
					reconciliation.failures(), reconciliation.skippedMeters());
		}

	}

	/**
	 * A customer whose total at the provider is not what was delivered.
	 *
	 * @param meter the meter key
	 * @param eventName the event name
	 * @param customerId the customer
	 * @param start the start of the range compared
	 * @param end the end of the range compared
	 * @param delivered what the outbox delivered
	 * @param counted what the provider counted
	 * @param difference counted minus delivered: negative when the provider lacks usage
	 */
	public record DriftDescriptor(String meter, String eventName, String customerId, Instant start, Instant end,
			long delivered, long counted, long difference) {

		DriftDescriptor(Reconciliation.Drift drift) {
			this(drift.meter(), drift.eventName(), drift.customerId(), drift.start(), drift.end(), drift.delivered(),
					drift.counted(), drift.difference());
		}

	}

}
