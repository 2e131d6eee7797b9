package dev.metering.billing;

import java.time.Duration;
import java.util.Optional;

import dev.metering.delivery.UsageDispatcher;
import dev.metering.outbox.CancelledUsage;
import dev.metering.outbox.UsageOutbox;
import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;

/**
 * Gives the usage of one recorded event back: the outbox marks it cancelled first, so
 * that it is never delivered (again) and two cancellations cannot both give it back; the
 * provider cancels it when it has it; then the limit and balance it was counted against
 * no longer count it.
 */
final class UsageCancellation {

	/** How long an event appended and not stored yet is waited for. */
	private static final Duration STORE_WAIT = Duration.ofSeconds(5);

	private final UsageOutbox outbox;

	private final UsageDispatcher dispatcher;

	private final MeterProvider provider;

	private final MeterCatalog meters;

	private final PlanAdmission admission;

	UsageCancellation(UsageOutbox outbox, UsageDispatcher dispatcher, MeterProvider provider, MeterCatalog meters,
			PlanAdmission admission) {
		this.outbox = outbox;
		this.dispatcher = dispatcher;
		this.provider = provider;
		this.meters = meters;
		this.admission = admission;
	}

	/**
	 * @return {@code true} when the event was cancelled, {@code false} when there is no
	 * such event, or it was cancelled already
	 * @throws UnsupportedOperationException when the provider has the event and cannot
	 * cancel usage; the event stays delivered and counted
	 * @throws IllegalStateException when the event is being delivered now, was merged
	 * into another, or the provider can no longer cancel it; nothing changes
	 */
	boolean cancel(String identifier) {
		Optional<CancelledUsage> found = this.dispatcher.cancel(identifier);
		if (found.isEmpty() && this.outbox.awaitStored(STORE_WAIT)) {
			// it may have been on its way to the queue, written in a group
			found = this.dispatcher.cancel(identifier);
		}
		if (found.isEmpty()) {
			return false;
		}
		CancelledUsage cancelled = found.get();
		UsageEvent event = cancelled.event();
		if (cancelled.deliveredAt() != null) {
			try {
				this.provider.cancel(event, cancelled.deliveredAt());
			}
			catch (RuntimeException ex) {
				this.dispatcher.restoreDelivered(identifier);
				throw ex;
			}
		}
		this.meters.byEventName(event.eventName()).ifPresent((meter) -> this.admission.giveBack(event, meter));
		return true;
	}

}
