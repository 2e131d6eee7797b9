package dev.metering.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What one reconciliation found.
 *
 * @param provider the provider's name
 * @param start the window's start, inclusive
 * @param end the window's end, exclusive
 * @param meters the keys of the meters reconciled
 * @param compared how many pairs of customer and meter were compared
 * @param drifts the pairs where the provider's total is not what was delivered
 * @param failures the pairs whose total the provider could not answer
 * @param skippedMeters meters not reconciled, by key, with the reason
 * @since 0.1.0
 */
public record Reconciliation(String provider, Instant start, Instant end, List<String> meters, int compared,
		List<Drift> drifts, List<Failure> failures, Map<String, String> skippedMeters) {

	public Reconciliation {
		meters = List.copyOf(meters);
		drifts = List.copyOf(drifts);
		failures = List.copyOf(failures);
		skippedMeters = Map.copyOf(skippedMeters);
	}

	/**
	 * A customer whose total at the provider is not what the outbox delivered.
	 *
	 * @param meter the meter key
	 * @param eventName the meter's event name
	 * @param customerId the customer
	 * @param start the start of the range compared: the window's, or the provider's when
	 * it answers only whole buckets
	 * @param end the end of the range compared
	 * @param delivered what the outbox delivered
	 * @param counted what the provider counted
	 */
	public record Drift(String meter, String eventName, String customerId, Instant start, Instant end, long delivered,
			long counted) {

		/**
		 * What the provider counted beyond what was delivered; negative when it lacks
		 * usage.
		 */
		public long difference() {
			return this.counted - this.delivered;
		}

	}

	/**
	 * A customer whose total the provider could not answer.
	 *
	 * @param meter the meter key
	 * @param customerId the customer
	 * @param error what went wrong
	 */
	public record Failure(String meter, String customerId, @Nullable String error) {
	}

}
