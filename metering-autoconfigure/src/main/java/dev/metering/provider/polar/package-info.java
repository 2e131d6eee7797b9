/**
 * Polar meters as the meter provider: delivers usage as Polar events through its
 * ingestion API and reads customers, subscriptions, meter quantities and meter credits
 * back, over Spring's {@code RestClient}.
 */
@NullMarked
package dev.metering.provider.polar;

import org.jspecify.annotations.NullMarked;
