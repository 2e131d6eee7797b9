/**
 * Stripe Billing Meters as the meter provider: delivers usage as Stripe meter events and
 * reads customers, subscriptions and usage summaries back, through the official
 * stripe-java SDK.
 */
package dev.metering.provider.stripe;
