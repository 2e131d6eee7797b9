package dev.metering.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of how usage is delivered to the provider.
 *
 * @param flushInterval How often pending usage is sent.
 * @param shutdownTimeout How long shutdown waits to deliver what is pending. What is left
 * stays in a database outbox for the next start.
 * @param maxAttempts How many times an event is attempted before it is dead-lettered.
 * @param initialBackoff Delay before the first retry. It doubles with each further retry,
 * up to the maximum backoff.
 * @param maxBackoff Longest delay between two attempts of an event.
 * @param concurrency How many customers' events are delivered at the same time. Events of
 * one customer on one meter are always sent one at a time.
 * @param coalesce Whether pending events of one customer on a sum meter are sent as one
 * event, so that provider calls grow with customers, not with calls.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringDeliveryProperties.PREFIX)
public record MeteringDeliveryProperties(@DefaultValue("1s") Duration flushInterval,
		@DefaultValue("10s") Duration shutdownTimeout, @DefaultValue("12") int maxAttempts,
		@DefaultValue("500ms") Duration initialBackoff, @DefaultValue("5m") Duration maxBackoff,
		@DefaultValue("4") int concurrency, @DefaultValue("true") boolean coalesce) {

	static final String PREFIX = "metering.delivery";

}
