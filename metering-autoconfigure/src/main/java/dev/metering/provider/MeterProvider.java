package dev.metering.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
import dev.metering.UsageDimensions;

/**
 * A billing provider's meter API: where usage events are delivered and usage is read
 * back.
 *
 * @since 0.1.0
 */
public interface MeterProvider {

	/** How far ahead an event may be stamped: clocks drift a little, not more. */
	Duration MAX_FUTURE = Duration.ofMinutes(5);

	/** Short name for logs, e.g. {@code local} or {@code stripe}. */
	String name();

	/**
	 * Why the provider would refuse this customer ID, if it would; checked before an
	 * event is accepted so that a bad event is answered at once instead of dead-lettered
	 * later.
	 */
	Optional<String> rejectCustomerId(String customerId);

	/**
	 * Why the provider would refuse an event that happened at {@code timestamp}, if it
	 * would. By default: more than {@link #MAX_FUTURE} ahead, as hosted meters refuse.
	 */
	default Optional<String> rejectTimestamp(Instant timestamp, Instant now) {
		if (timestamp.isAfter(now.plus(MAX_FUTURE))) {
			return Optional.of("timestamp " + timestamp + " is more than " + MAX_FUTURE.toMinutes()
					+ " minutes in the future, which the " + name() + " meter refuses");
		}
		return Optional.empty();
	}

	/** Delivers one event. Must not throw: every failure is an outcome. */
	DeliveryOutcome deliver(UsageEvent event);

	/**
	 * How many events one request may carry. At 1, the dispatcher sends one customer's
	 * events on one meter one at a time, several customers side by side; above 1, it
	 * hands batches to {@link #deliverAll}.
	 */
	default int batchSize() {
		return 1;
	}

	/**
	 * Delivers several events, in one request where the provider can; outcomes in order.
	 */
	default List<DeliveryOutcome> deliverAll(List<UsageEvent> events) {
		return events.stream().map(this::deliver).toList();
	}

	List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, @Nullable Instant start,
			@Nullable Instant end);

	/**
	 * Usage per bucket: one summary per bucket of {@code [start, end)}, in order, zero
	 * where nothing was used. The range is already checked by
	 * {@link UsageBuckets#starts}. By default the provider cannot group usage and says
	 * so.
	 * @throws UnsupportedOperationException when the provider cannot answer usage per
	 * bucket
	 */
	default List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			Duration bucket) {
		throw new UnsupportedOperationException("The " + name() + " meter cannot answer usage per bucket; "
				+ "read usage over the whole range instead");
	}

	/**
	 * Usage of the events whose dimensions a filter admits, over {@code [start, end)}
	 * ({@code null} bounds are open). By default the provider cannot filter by dimension
	 * and says so.
	 * @throws UnsupportedOperationException when the provider cannot filter usage by
	 * dimension
	 */
	default List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			UsageDimensions filter) {
		throw new UnsupportedOperationException(
				"The " + name() + " meter cannot answer usage by dimension; " + "read the total instead");
	}

	/**
	 * Cancels an event the provider has, so that its usage is no longer counted nor
	 * billed. By default the provider cannot and says so.
	 * @param event the event as it was delivered, under the identifier the provider saw
	 * @param deliveredAt when it was delivered, for providers that allow cancelling only
	 * for a while after
	 * @throws UnsupportedOperationException when the provider cannot cancel usage
	 * @throws IllegalStateException when the provider can no longer cancel this event
	 * @throws RuntimeException when the provider could not be reached or refused; the
	 * event is not cancelled then
	 */
	default void cancel(UsageEvent event, Instant deliveredAt) {
		throw new UnsupportedOperationException("The " + name() + " meter cannot cancel usage it has been sent");
	}

	/**
	 * Whether a customer without a subscription has its usage answered all-time (no time
	 * range), as Polar's customer meters do, rather than for the calendar month.
	 */
	default boolean allTimeUsageWithoutSubscription() {
		return false;
	}

	/**
	 * The provider's customer of a subject that has no configured account, if it knows
	 * one.
	 */
	default Optional<String> findCustomerId(BillingSubject subject) {
		return Optional.empty();
	}

	/** The customer's active subscription, if the provider knows of one. */
	default Optional<Subscription> activeSubscription(String customerId) {
		return Optional.empty();
	}

	/**
	 * The customer's prepaid balance that the meter's usage draws on, as the provider
	 * keeps it (Metronome's commits and credits, burnt down in real time; Stripe's credit
	 * grants, converted from money with the meter's price; Polar's meter credits), so
	 * that a call can be checked against it before the model runs. By default the
	 * provider keeps no balances.
	 * @param customerId the provider's customer
	 * @param meter the meter whose usage draws on the balance
	 * @return the balance, or empty when the provider keeps none for the customer
	 */
	default Optional<ProviderBalance> balance(String customerId, MeterDefinition meter) {
		return Optional.empty();
	}

}
