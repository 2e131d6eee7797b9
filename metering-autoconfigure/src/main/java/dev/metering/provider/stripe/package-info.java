/**
 * Stripe Billing Meters as the meter provider: delivers usage as Stripe meter events and
 * reads customers, subscriptions and usage summaries back, through the official
 * stripe-java SDK.
 */
@NullMarked
package dev.metering.provider.stripe;

import org.jspecify.annotations.NullMarked;
