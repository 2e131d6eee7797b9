package dev.metering.outbox;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.UsageEvent;

/**
 * An event the outbox marked cancelled, so that it is never delivered and its usage can
 * be given back.
 *
 * @param event the event as it was recorded
 * @param deliveredAt when the provider was sent it, or {@code null} when it never was:
 * the provider is to cancel it too
 * @since 0.1.0
 */
public record CancelledUsage(UsageEvent event, @Nullable Instant deliveredAt) {

	/** Whether the provider has the event, which must then cancel it too. */
	public boolean delivered() {
		return this.deliveredAt != null;
	}

}
