package dev.metering.provider.polar;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.ProviderWebhooks;

/**
 * Makes metering's Polar meter provider and the reader of Polar's webhooks.
 *
 * @since 0.1.0
 */
public final class PolarMetering {

	private PolarMetering() {
	}

	/** The meter provider of the meters on a client of Polar's API. */
	public static MeterProvider meterProvider(PolarClient client, List<MeterDefinition> meters, ProviderCaches caches,
			Clock clock) {
		return new PolarMeterProvider(client, meters, caches, clock);
	}

	/**
	 * Polar's webhooks, signed as Standard Webhooks.
	 * @param secrets the webhook endpoint's signing secrets, as Polar shows them
	 * @param tolerance how far a delivery's timestamp may be from now, either way; an
	 * older one is refused as a replay
	 * @param clock tells now
	 */
	public static ProviderWebhooks webhooks(List<String> secrets, Duration tolerance, Clock clock) {
		return new PolarWebhooks(secrets, tolerance, clock);
	}

}
