package dev.metering.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
import dev.metering.UsageDimensions;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;
import dev.metering.provider.local.InMemoryLocalMeterStore;
import dev.metering.provider.local.LocalMeterProvider;

/**
 * A billing provider for tests that keeps every usage event delivered to it, in the place
 * of Stripe, Polar or the local meter ({@link AutoConfigureMeteringTest} puts it there).
 * <p>
 * Usage reaches it as it reaches a real provider: recorded by the application, kept in
 * the outbox, delivered by the dispatcher on its own thread. So that a test sees its
 * usage as soon as the metered call has returned, every read first calls
 * {@link BillingClient#flush} and waits until all usage recorded so far is delivered (at
 * most {@link #FLUSH_TIMEOUT}, then it fails). It accepts every event and answers usage
 * queries from what it received, as the local meter does; a redelivered identifier is
 * listed again, but counted once by those queries.
 */
public final class RecordingMeterProvider implements MeterProvider {

	/** How long a read waits for the usage recorded before it to be delivered. */
	public static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);

	private final ObjectProvider<BillingClient> billing;

	private final List<RecordedEvent> events = new ArrayList<>();

	private LocalMeterProvider meter = new LocalMeterProvider(new InMemoryLocalMeterStore());

	/**
	 * @param billing the application's billing client, looked up at each read, to flush
	 * it
	 */
	public RecordingMeterProvider(ObjectProvider<BillingClient> billing) {
		this.billing = billing;
	}

	/**
	 * Every event received, in the order received, once all usage recorded so far is
	 * delivered.
	 * @throws IllegalStateException when that usage is not delivered within
	 * {@link #FLUSH_TIMEOUT}
	 */
	public List<RecordedEvent> events() {
		deliverWhatWasRecorded();
		synchronized (this) {
			return List.copyOf(this.events);
		}
	}

	/**
	 * Forgets every event, once all usage recorded so far is delivered, so that none of
	 * it arrives afterwards. Done before each test method by a test execution listener.
	 */
	public void reset() {
		deliverWhatWasRecorded();
		synchronized (this) {
			this.events.clear();
			this.meter = new LocalMeterProvider(new InMemoryLocalMeterStore());
		}
	}

	/**
	 * The customer ID of an organization, as the application's billing accounts know it.
	 */
	Optional<String> customerIdOf(String organizationId) {
		return this.billing.getObject().getCustomerId(BillingSubject.organization(organizationId));
	}

	private void deliverWhatWasRecorded() {
		BillingClient client = this.billing.getIfAvailable();
		if (client != null && !client.flush(FLUSH_TIMEOUT)) {
			throw new IllegalStateException("The usage recorded so far was not delivered to the recording meter within "
					+ FLUSH_TIMEOUT.toSeconds() + "s; is the application context closing?");
		}
	}

	@Override
	public String name() {
		return "recording";
	}

	@Override
	public synchronized Optional<String> rejectCustomerId(String customerId) {
		return this.meter.rejectCustomerId(customerId);
	}

	@Override
	public synchronized DeliveryOutcome deliver(UsageEvent event) {
		this.events.add(RecordedEvent.of(event));
		return this.meter.deliver(event);
	}

	@Override
	public synchronized List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, @Nullable Instant start,
			@Nullable Instant end) {
		return this.meter.usage(meter, customerId, start, end);
	}

	@Override
	public synchronized List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start,
			Instant end, Duration bucket) {
		return this.meter.usage(meter, customerId, start, end, bucket);
	}

	@Override
	public synchronized List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start,
			Instant end, UsageDimensions filter) {
		return this.meter.usage(meter, customerId, start, end, filter);
	}

}
