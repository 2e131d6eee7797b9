/**
 * Who is billed, plan admission, and recording: the flow every metered call and scope
 * goes through, behind the BillingClient.
 */
@NullMarked
package dev.metering.billing;

import org.jspecify.annotations.NullMarked;
