package dev.metering;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Records and queries metered usage by hand, against the configured billing provider.
 * <p>
 * {@code recordUsage} never throws for bad input or provider trouble: it answers
 * {@code recorded=false} with an error that says what is wrong. {@code recorded=true}
 * means the event was accepted for delivery and will reach the provider with the returned
 * identifier. The other methods refuse a missing argument with an
 * {@link IllegalArgumentException} that names it.
 *
 * @since 0.1.0
 */
public interface BillingClient {

	RecordUsageResult recordUsage(String eventName, String customerId, long value);

	RecordUsageResult recordUsage(String eventName, String customerId, long value, Instant timestamp);

	/** Usage of a meter for a customer in the customer's current billing period. */
	List<MeterUsageSummary> getUsage(String meterId, String customerId);

	List<MeterUsageSummary> getUsage(String meterId, String customerId, Instant start, Instant end);

	/**
	 * Usage of a meter for a customer per bucket, as a usage chart draws it: one summary
	 * per bucket from {@code start} to {@code end}, in order, zero where nothing was
	 * used. Hosted meters group by whole UTC hours or days, so {@code bucket} is one hour
	 * or one day and both bounds are on its boundaries (UTC midnight for days).
	 * @param bucket {@code Duration.ofHours(1)} or {@code Duration.ofDays(1)}
	 * @throws IllegalArgumentException when the bucket or the range is not one of those
	 * @throws UnsupportedOperationException when the provider cannot group usage by
	 * bucket, or, by default, for a client written before this method existed
	 */
	default List<MeterUsageSummary> getUsage(String meterId, String customerId, Instant start, Instant end,
			Duration bucket) {
		throw new UnsupportedOperationException(getClass().getName() + " does not answer usage per bucket");
	}

	/**
	 * Usage of a meter for a customer, of the events whose dimensions a filter admits:
	 * one model, one type of token, or both ({@code metering.meters.<key>.dimensions}).
	 * The local meter and Polar (through event metadata) answer it; Stripe's event
	 * summaries and Metronome's usage query cannot filter by dimension. {@code null}
	 * bounds are open (all time).
	 * @param filter the dimensions to count, e.g. {@code UsageDimensions.model("gpt-4o")}
	 * @throws UnsupportedOperationException when the provider cannot filter usage by
	 * dimension, or, by default, for a client written before this method existed
	 */
	default List<MeterUsageSummary> getUsage(String meterId, String customerId, Instant start, Instant end,
			UsageDimensions filter) {
		throw new UnsupportedOperationException(getClass().getName() + " does not answer usage by dimension");
	}

	Optional<String> getCustomerId(BillingSubject subject);

	PlanLimitCheck checkPlanLimit(String referenceId, String limitKey, long currentUsage);

	PlanLimits getPlanLimits(String referenceId);

	/**
	 * Where an organization stands against one plan limit this period, as the limit sees
	 * it.
	 */
	UsageStatus getUsageStatus(String referenceId, String limitKey);

	/**
	 * Where an organization stands against the limit of every limited meter, in meter
	 * order.
	 */
	List<UsageStatus> getUsageStatuses(String referenceId);

	/**
	 * Waits until all usage recorded so far is delivered.
	 * @return {@code true} when nothing is left to deliver, {@code false} when the
	 * timeout elapsed first
	 */
	boolean flush(Duration timeout);

	/**
	 * An organization's prepaid balance on a meter: what its grants hold, what was drawn
	 * from them and what is left.
	 * @param referenceId the organization or user ID
	 * @param meterKey a meter key under {@code metering.meters}
	 * @throws UnsupportedOperationException by default, for a client that keeps no
	 * balances
	 */
	default Balance getBalance(String referenceId, String meterKey) {
		throw unsupported("keep prepaid balances (getBalance)");
	}

	/**
	 * Grants an organization an amount to use on a prepaid meter.
	 * @param referenceId the organization or user ID
	 * @param meterKey a meter key under {@code metering.meters}
	 * @param amount what the grant holds, in the meter's unit
	 * @param effectiveAt when it can be used from
	 * @param expiresAt when what is left of it is lost, or {@code null} for never
	 * @param priority which of grants that expire together is used first: the lowest
	 * @return the grant made, with its identifier
	 * @throws UnsupportedOperationException by default, for a client that keeps no
	 * balances
	 */
	default CreditGrant grantCredits(String referenceId, String meterKey, long amount, Instant effectiveAt,
			@Nullable Instant expiresAt, int priority) {
		throw unsupported("keep prepaid balances (grantCredits)");
	}

	/**
	 * The active and future grants of an organization on a meter, in the order usage
	 * draws on them.
	 * @param referenceId the organization or user ID
	 * @param meterKey a meter key under {@code metering.meters}
	 * @throws UnsupportedOperationException by default, for a client that keeps no
	 * balances
	 */
	default List<CreditGrant> getGrants(String referenceId, String meterKey) {
		throw unsupported("keep prepaid balances (getGrants)");
	}

	/**
	 * Revokes a grant: what is left of it is lost from now on, what was drawn from it
	 * stays paid.
	 * @param grantId the grant's identifier
	 * @throws UnsupportedOperationException by default, for a client that keeps no
	 * balances
	 */
	default void revokeGrant(String grantId) {
		throw unsupported("keep prepaid balances (revokeGrant)");
	}

	/**
	 * Gives the usage of one recorded event back, e.g. for a failed answer or as
	 * goodwill: the provider, the balance and the limit no longer count it.
	 * @param identifier the identifier the event was recorded with
	 * ({@link RecordUsageResult#identifier()})
	 * @return {@code true} when the event was cancelled, {@code false} when there was no
	 * such event
	 * @throws IllegalArgumentException when {@code identifier} is blank
	 * @throws IllegalStateException when the event cannot be cancelled now or any more:
	 * it is being delivered, was delivered merged with others, or the provider's time to
	 * cancel it is over
	 * @throws UnsupportedOperationException when the provider cannot cancel usage, or, by
	 * default, for a client written before this method existed
	 */
	default boolean cancelUsage(String identifier) {
		throw unsupported("give usage back (cancelUsage)");
	}

	private UnsupportedOperationException unsupported(String what) {
		return new UnsupportedOperationException(getClass().getName() + " does not " + what);
	}

}
