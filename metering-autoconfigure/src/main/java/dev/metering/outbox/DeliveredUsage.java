package dev.metering.outbox;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The outbox as reconciliation sees it: what it delivered, summed per event name and
 * customer, for as long as it keeps delivered events ({@code metering.outbox.retention}).
 * Only an outbox that remembers what it delivered offers this; the one in memory forgets
 * an event once it is delivered.
 *
 * @since 0.1.0
 */
public interface DeliveredUsage {

	/**
	 * The events of {@code eventNames} delivered to the provider whose timestamp falls in
	 * {@code [start, end)}, summed per event name and customer, as the provider received
	 * them: an event merged into another counts in the one that was sent.
	 */
	List<DeliveredTotal> deliveredTotals(Set<String> eventNames, Instant start, Instant end);

	/**
	 * The sum of one customer's delivered events of one event name.
	 *
	 * @param eventName the event name
	 * @param customerId the customer
	 * @param value the sum of their values
	 * @param events how many events were sent
	 */
	record DeliveredTotal(String eventName, String customerId, long value, long events) {
	}

}
