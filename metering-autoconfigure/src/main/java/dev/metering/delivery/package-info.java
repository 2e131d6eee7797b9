/**
 * Delivery: sends the events waiting in the outbox to the provider in the background, and
 * settles each by the provider's answer: delivered, retried with backoff, or
 * dead-lettered.
 */
@NullMarked
package dev.metering.delivery;

import org.jspecify.annotations.NullMarked;
