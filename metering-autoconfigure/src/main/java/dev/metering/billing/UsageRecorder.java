package dev.metering.billing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.MeteringUnavailableException;
import dev.metering.RecordUsageResult;
import dev.metering.UsageDimensions;
import dev.metering.outbox.UsageOutbox;
import dev.metering.outbox.UsageOutboxes;
import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;

/**
 * Checks a usage event and hands it to the outbox. Never throws for bad input: every
 * refusal is a {@link RecordUsageResult} that says what is wrong.
 */
final class UsageRecorder {

	/**
	 * How long a call refused for a full outbox is told to wait: its writer tries every
	 * 200 ms.
	 */
	static final Duration OUTBOX_FULL_RETRY_AFTER = Duration.ofSeconds(5);

	private final MeterCatalog meters;

	private final BillingAccounts accounts;

	private final MeterProvider provider;

	private final UsageOutbox outbox;

	private final boolean requireConfiguredEvents;

	private final Clock clock;

	private final Supplier<String> identifiers = UsageOutboxes.eventIdentifiers();

	UsageRecorder(MeterCatalog meters, BillingAccounts accounts, MeterProvider provider, UsageOutbox outbox,
			boolean requireConfiguredEvents, Clock clock) {
		this.meters = meters;
		this.accounts = accounts;
		this.provider = provider;
		this.outbox = outbox;
		this.requireConfiguredEvents = requireConfiguredEvents;
		this.clock = clock;
	}

	/** Records usage that happened now. */
	public RecordUsageResult record(String eventName, String customerId, long value) {
		return record(eventName, customerId, value, UsageDimensions.none());
	}

	/** Records usage of the given dimensions that happened now. */
	public RecordUsageResult record(String eventName, String customerId, long value, UsageDimensions dimensions) {
		Instant now = this.clock.instant();
		String identifier = this.identifiers.get();
		return result(identifier, record(identifier, eventName, customerId, value, now, dimensions, null, now));
	}

	public RecordUsageResult record(String eventName, String customerId, long value, Instant timestamp) {
		String identifier = this.identifiers.get();
		return result(identifier, record(identifier, eventName, customerId, value, timestamp, UsageDimensions.none(),
				null, this.clock.instant()));
	}

	/**
	 * Records usage of the given dimensions that happened now, for metering's own calls,
	 * which need no result object when it is recorded: none is made on every ChatClient
	 * call.
	 * @param customerId the customer, or {@code null} when the provider could not name it
	 * yet: the event then waits for it in the outbox
	 * @param subject the organization or user whose usage it is
	 * @return why the usage was not recorded, or {@code null} when it was
	 */
	@Nullable String recordNow(String eventName, @Nullable String customerId, long value, UsageDimensions dimensions,
			BillingSubject subject) {
		Instant now = this.clock.instant();
		return record(this.identifiers.get(), eventName, customerId, value, now, dimensions, subject, now);
	}

	/**
	 * Refuses a call whose usage the outbox could not take now, before it runs.
	 * @throws MeteringUnavailableException while the outbox's database is away and what
	 * waits in memory for it has filled its room
	 */
	void requireRoom() {
		if (!this.outbox.hasRoom()) {
			throw new MeteringUnavailableException("the metering database is unreachable and the usage waiting "
					+ "in memory for it has filled metering.outbox.queue-capacity", OUTBOX_FULL_RETRY_AFTER);
		}
	}

	private static RecordUsageResult result(String identifier, @Nullable String problem) {
		return (problem != null) ? RecordUsageResult.rejected(problem) : RecordUsageResult.accepted(identifier);
	}

	/**
	 * @param now the clock's time, which the provider checks the timestamp against
	 * @return why the event was not recorded, or {@code null} when it was
	 */
	private @Nullable String record(String identifier, String eventName, @Nullable String customerId, long value,
			Instant timestamp, UsageDimensions dimensions, @Nullable BillingSubject subject, Instant now) {
		Optional<String> problem = problemWith(eventName, customerId, subject, value, timestamp, now);
		if (problem.isPresent()) {
			return problem.get();
		}
		UsageEvent event = new UsageEvent(identifier, eventName, customerId, value, timestamp, dimensions, subject);
		Optional<String> unstorable = this.outbox.problemWith(event);
		if (unstorable.isPresent()) {
			return unstorable.get();
		}
		try {
			this.outbox.append(event);
		}
		catch (RuntimeException ex) {
			return "Usage could not be stored for delivery: " + ex.getMessage();
		}
		return null;
	}

	/**
	 * @param customerId the customer, or {@code null} for usage of a subject whose
	 * customer the provider could not name yet, which waits for it in the outbox
	 */
	private Optional<String> problemWith(String eventName, @Nullable String customerId,
			@Nullable BillingSubject subject, long value, Instant timestamp, Instant now) {
		if (eventName == null || eventName.isBlank()) {
			return Optional.of("eventName must not be blank");
		}
		if (this.requireConfiguredEvents && !this.meters.hasEventName(eventName)) {
			return Optional.of("Unknown event name '" + eventName + "'; event names are case-sensitive and must be "
					+ "configured under metering.meters.*.event-name: " + this.meters.eventNames());
		}
		if (value < 0) {
			return Optional.of("value must not be negative, was " + value);
		}
		if (customerId != null || subject == null) {
			Optional<String> customerProblem = problemWithCustomer(customerId);
			if (customerProblem.isPresent()) {
				return customerProblem;
			}
		}
		if (timestamp == null) {
			return Optional.of("timestamp must not be null");
		}
		return this.provider.rejectTimestamp(timestamp, now);
	}

	private Optional<String> problemWithCustomer(@Nullable String customerId) {
		if (customerId == null || customerId.isBlank()) {
			return Optional.of("customerId must not be blank");
		}
		Account named = this.accounts.byReferenceId(customerId).orElse(null);
		if (named != null && !customerId.equals(named.customerId())) {
			return Optional.of("'" + customerId + "' is an organization or user ID, not a customer ID; its "
					+ this.provider.name() + " customer ID is '" + named.customerId() + "'");
		}
		return this.provider.rejectCustomerId(customerId);
	}

}
