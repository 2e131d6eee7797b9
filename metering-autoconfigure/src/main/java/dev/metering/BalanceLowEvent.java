package dev.metering;

/**
 * Published through the application's event publisher when what is left of an
 * organization's prepaid balance on a meter falls to one of
 * {@code metering.balances.thresholds} (percent of what was granted): once per grant and
 * threshold across instances. It carries what an application needs to top the balance up
 * by itself, e.g. through {@link BillingClient#grantCredits}. Give slow work to an
 * executor.
 *
 * @param referenceId the organization or user whose balance it is
 * @param meterKey the meter the balance is on
 * @param remaining what is left of the balance when the threshold was noticed
 * @param granted what the balance's grants hold
 * @param thresholdPercent the threshold reached, in percent of {@code granted} left
 * @since 0.1.0
 */
public record BalanceLowEvent(String referenceId, String meterKey, long remaining, long granted, int thresholdPercent) {
}
