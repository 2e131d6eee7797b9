/**
 * Billing: who is billed, plan admission, recording, and what meters an application's
 * work — the ChatClient advisor, the interceptor of MeteredUsage methods and the WebFlux
 * filter that resolves the billed subject — all built by
 * {@link dev.metering.billing.Billing} behind the BillingClient.
 */
@NullMarked
package dev.metering.billing;

import org.jspecify.annotations.NullMarked;
