package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.metering.BillingSubject;
import dev.metering.outbox.DeliveryQueue;

/**
 * Names the customer of usage that waits for it: calls let through while the provider
 * could not name their organization's customer (a passing outage, as
 * {@code metering.limits.on-lookup-failure: allow} permits) recorded their usage without
 * one. Before each delivery pass, the subjects of such events are looked up again: once
 * named, their events are delivered like any other, each under the identifier it was
 * recorded with; a subject the provider has no customer for turns its events into dead
 * letters saying so, which wait again when re-driven; a look-up that fails again leaves
 * them waiting for the next try.
 */
final class CustomerNaming {

	/** No customer: the dead letters' provider code. */
	static final String NO_CUSTOMER = "no_customer";

	private static final Log logger = LogFactory.getLog(CustomerNaming.class);

	/** Most subjects one pass looks up: the others wait for the next. */
	private static final int SUBJECTS_A_PASS = 100;

	private final DeliveryQueue queue;

	private final CustomerLookup customers;

	private final String provider;

	private final Duration retry;

	private final Clock clock;

	/**
	 * @param retry how long a subject whose look-up failed waits before the next
	 */
	CustomerNaming(DeliveryQueue queue, CustomerLookup customers, String provider, Duration retry, Clock clock) {
		this.queue = queue;
		this.customers = customers;
		this.provider = provider;
		this.retry = retry;
		this.clock = clock;
	}

	void run(Instant now) {
		for (BillingSubject subject : this.queue.awaitingCustomer(now, SUBJECTS_A_PASS)) {
			Optional<String> customer;
			try {
				customer = this.customers.customerOf(subject);
			}
			catch (RuntimeException ex) {
				// a refused key is logged by the provider's access record, an outage by
				// the call
				// that met it: the events wait, and say why
				this.queue.awaitCustomer(subject, now.plus(this.retry), ex.getMessage());
				continue;
			}
			if (customer.isPresent()) {
				int named = this.queue.nameCustomer(subject, customer.get(), now);
				logger.info(named + " usage event(s) of '" + subject.referenceId() + "' recorded while " + this.provider
						+ " could not name its customer now go to " + customer.get());
			}
			else {
				int dead = this.queue.deadLetterAwaiting(subject, NO_CUSTOMER, noCustomer(subject),
						this.clock.instant());
				logger.warn(dead + " usage event(s) of '" + subject.referenceId() + "' recorded while " + this.provider
						+ " could not name its customer are dead letters: " + noCustomer(subject));
			}
		}
	}

	private String noCustomer(BillingSubject subject) {
		return this.provider + " has no customer for " + subject.type().name().toLowerCase(Locale.ROOT) + " '"
				+ subject.referenceId() + "', whose calls ran while it could not be asked; re-drive these "
				+ "events once the customer exists, and they are billed to it";
	}

}
