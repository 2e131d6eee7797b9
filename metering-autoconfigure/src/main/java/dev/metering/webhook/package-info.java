/**
 * The providers' webhooks: signed deliveries from Stripe, Polar and Metronome, each
 * handled once, that cache a new customer, evict a customer's cached plan and period when
 * its subscription or contract changes, in every instance on the database, and
 * dead-letter the usage a provider refused after accepting it.
 */
@NullMarked
package dev.metering.webhook;

import org.jspecify.annotations.NullMarked;
