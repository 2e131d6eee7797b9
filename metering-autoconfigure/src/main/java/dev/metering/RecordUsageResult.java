package dev.metering;

import org.jspecify.annotations.Nullable;

/**
 * Outcome of {@link BillingClient#recordUsage}.
 *
 * @param recorded whether the event was durably accepted for delivery
 * @param identifier the idempotency identifier the provider will see, or {@code null}
 * when not recorded
 * @param error why the event was not recorded, or {@code null} when it was
 * @since 0.1.0
 */
public record RecordUsageResult(boolean recorded, @Nullable String identifier, @Nullable String error) {

	public static RecordUsageResult accepted(String identifier) {
		return new RecordUsageResult(true, identifier, null);
	}

	public static RecordUsageResult rejected(String error) {
		return new RecordUsageResult(false, null, error);
	}

}
