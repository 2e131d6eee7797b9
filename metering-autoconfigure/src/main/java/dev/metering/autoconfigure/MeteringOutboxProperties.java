package dev.metering.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the outbox, where usage waits until the provider has it.
 *
 * @param store Where usage waits for delivery: "auto" for the database when the
 * application has a DataSource and memory otherwise, "memory", or "jdbc".
 * @param sync Whether to write to the database before recordUsage returns, instead of
 * handing the event to a background writer that commits events in groups.
 * @param commitInterval How long the background writer gathers events into one commit. A
 * crash loses at most the usage recorded in this interval.
 * @param queueCapacity How many events may wait for the background writer.
 * @param offerTimeout How long a caller waits for room in a full queue before it writes
 * its event itself.
 * @param lease How long an instance's claim on an event holds before another instance may
 * send it.
 * @param retention How long delivered events stay in the outbox table before they are
 * deleted. Pending events and dead letters stay until they are settled.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringOutboxProperties.PREFIX)
public record MeteringOutboxProperties(@DefaultValue("auto") MeteringProperties.Store store,
		@DefaultValue("false") boolean sync, @DefaultValue("5ms") Duration commitInterval,
		@DefaultValue("10000") int queueCapacity, @DefaultValue("50ms") Duration offerTimeout,
		@DefaultValue("1m") Duration lease, @DefaultValue("7d") Duration retention) {

	static final String PREFIX = "metering.outbox";

}
