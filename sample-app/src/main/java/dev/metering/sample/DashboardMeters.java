package dev.metering.sample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the dashboard reads of the metering starter's own meter settings
 * ({@code metering.meters}): the name to show and the meter ID to chart. The starter
 * binds these settings too; reading them here keeps the sample on the starter's public
 * API.
 *
 * @param meters meters by key
 */
@ConfigurationProperties("metering")
public record DashboardMeters(Map<String, Meter> meters) {

	public DashboardMeters {
		// in configuration order, which is the order of the dashboard's cards
		meters = (meters != null) ? Collections.unmodifiableMap(new LinkedHashMap<>(meters)) : Map.of();
	}

	/**
	 * A meter as the dashboard sees it.
	 *
	 * @param displayName the name people read, or {@code null} for the key
	 * @param meterId the meter ID that {@code BillingClient.getUsage} reads, or
	 * {@code null} for the key (the local meter)
	 * @param limitKey the plan limit of the meter, or {@code null} when it has none
	 * @param prepaid whether the meter's calls draw on the organization's balance
	 */
	public record Meter(String displayName, String meterId, String limitKey, boolean prepaid) {

		String displayNameOr(String key) {
			return (this.displayName != null) ? this.displayName : key;
		}

	}

}
