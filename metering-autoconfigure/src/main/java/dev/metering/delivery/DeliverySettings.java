package dev.metering.delivery;

import java.time.Duration;
import java.util.Set;

/**
 * How the dispatcher delivers.
 *
 * @param backoff how failed attempts are retried
 * @param flushInterval how often pending usage is sent
 * @param shutdownTimeout how long shutdown waits to deliver what is pending
 * @param concurrency how many customers' events are delivered at the same time
 * @param coalescedEventNames event names whose pending events are merged per customer
 * before they are sent (those of sum meters); empty for none
 * @param retention how long delivered events are kept in the outbox
 * @param customerLookupRetry how long usage waiting for its customer waits after a
 * look-up that failed before the next
 */
record DeliverySettings(RetryBackoff backoff, Duration flushInterval, Duration shutdownTimeout, int concurrency,
		Set<String> coalescedEventNames, Duration retention, Duration customerLookupRetry) {

	public DeliverySettings {
		coalescedEventNames = Set.copyOf(coalescedEventNames);
	}

}
